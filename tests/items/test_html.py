import pytest

from palier.items.html import sanitise_html, trusted_html


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        ("<p>Bonjour</p><script>alert(1)</script>", "<p>Bonjour</p>"),
        ('<p onclick="steal()">Bonjour</p>', "<p>Bonjour</p>"),
        ('<img src="https://tracker.example.com/x.png" alt="x">', '<img alt="x">'),
        ('<p style="color:red">Rouge</p>', "<p>Rouge</p>"),
        ("<iframe src='/x'></iframe>texte", "texte"),
        ('<a href="javascript:alert(1)">lien</a>', "lien"),
        ("<style>p { display: none }</style>texte", "texte"),
    ],
)
def test_dangerous_constructs_are_removed_and_the_text_kept(html, expected):
    assert sanitise_html(html) == expected


def test_the_allowed_subset_is_kept():
    html = "<p>Un <strong>patient</strong></p><ul><li>un</li></ul>" + (
        '<table><tr><th scope="col">A</th></tr></table>'
    )
    cleaned = sanitise_html(html)
    assert "<strong>patient</strong>" in cleaned and "<li>un</li>" in cleaned
    assert 'scope="col"' in cleaned


def test_unknown_harmless_tags_are_dropped_but_their_text_kept():
    assert sanitise_html("<p>Texte <u>souligné</u></p>") == "<p>Texte souligné</p>"


def test_images_from_the_media_library_keep_their_source(settings):
    settings.MEDIA_URL = "/media/"
    html = '<img src="/media/items/2026/scan.png" alt="Scanner">'
    assert sanitise_html(html) == html


@pytest.mark.parametrize(
    "source",
    [
        "//evil.example/x.png",
        "/media/items/../../etc/passwd",
        "data:image/png;base64,AAAA",
        "/media/other/x.png",
        "/media/items//evil.example/x.png",
    ],
)
def test_image_sources_outside_the_media_library_are_dropped(settings, source):
    settings.MEDIA_URL = "/media/"
    assert sanitise_html(f'<img src="{source}" alt="x">') == '<img alt="x">'


def test_sanitising_twice_changes_nothing():
    once = sanitise_html("<p>a & b <em>c</em> <b>d</b></p><svg onload=x>")
    assert sanitise_html(once) == once


def test_trusted_html_is_marked_safe_only_after_sanitising():
    value = trusted_html("<p>ok</p><script>alert(1)</script>")
    assert value == "<p>ok</p>" and hasattr(value, "__html__")
