"""The client address behind rate limits: X-Forwarded-For counts only behind trusted proxies."""

from django.test import RequestFactory, override_settings

from palier.core.http import client_ip

factory = RequestFactory()


def request_from(remote: str, forwarded: str | None = None):
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return factory.get("/", **extra)


@override_settings(PALIER_BEHIND_PROXY=False)
def test_a_spoofed_forwarded_header_is_ignored_without_the_proxy_setting():
    assert client_ip(request_from("198.51.100.7", "203.0.113.1")) == "198.51.100.7"


@override_settings(PALIER_BEHIND_PROXY=True, PALIER_TRUSTED_PROXY_HOPS=1)
def test_behind_one_proxy_only_the_address_it_appended_counts():
    # The client wrote "203.0.113.1" itself; the proxy appended the real peer, 192.0.2.44.
    request = request_from("10.0.0.2", "203.0.113.1, 192.0.2.44")
    assert client_ip(request) == "192.0.2.44"


@override_settings(PALIER_BEHIND_PROXY=True, PALIER_TRUSTED_PROXY_HOPS=2)
def test_behind_two_proxies_the_outer_proxy_s_entry_counts():
    request = request_from("10.0.0.3", "203.0.113.1, 192.0.2.44, 10.0.0.2")
    assert client_ip(request) == "192.0.2.44"


@override_settings(PALIER_BEHIND_PROXY=True, PALIER_TRUSTED_PROXY_HOPS=1)
def test_behind_a_proxy_a_request_without_the_header_falls_back_to_the_peer():
    assert client_ip(request_from("10.0.0.2")) == "10.0.0.2"
