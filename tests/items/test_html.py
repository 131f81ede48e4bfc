import pytest

from palier.items.html import UnsafeHtmlError, clean_html


@pytest.mark.parametrize(
    ("html", "problem"),
    [
        ("<p>Bonjour</p><script>alert(1)</script>", "script"),
        ('<p onclick="steal()">Bonjour</p>', "event handler"),
        ('<img src="https://tracker.example.com/x.png" alt="">', "remote resource"),
        ('<p style="color:red">Rouge</p>', "style attribute"),
        ("<iframe></iframe>", "embedded element"),
        ('<a href="javascript:alert(1)">x</a>', "javascript: URL"),
    ],
)
def test_dangerous_content_is_rejected_with_its_name(html, problem):
    with pytest.raises(UnsafeHtmlError) as error:
        clean_html(html)
    assert problem in error.value.problems


def test_the_allowed_subset_is_kept():
    html = "<p>Un <strong>patient</strong></p><ul><li>un</li></ul>" + (
        '<table><tr><th scope="col">A</th></tr></table>'
    )
    cleaned = clean_html(html)
    assert "<strong>patient</strong>" in cleaned and "<li>un</li>" in cleaned
    assert 'scope="col"' in cleaned


def test_unknown_harmless_tags_are_dropped_but_their_text_kept():
    assert clean_html("<p>Texte <u>souligné</u></p>") == "<p>Texte souligné</p>"
