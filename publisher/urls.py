"""One validator for every URL an author gives: front matter, ``--base-url`` and body links.

Hand-written on :func:`urllib.parse.urlsplit` because the rule is ours, not a standard's: a
reader or podcast app should only ever be sent to a web page (http, https) or a mail address
(mailto); ``javascript:``, ``data:``, ``file:`` and friends are refused, and so is anything a
client would have to guess at (no host, a bad port, spaces or control characters).
"""

from __future__ import annotations

import ipaddress
import re
from urllib.parse import urlsplit

WEB = ("http", "https")
WEB_OR_MAIL = ("http", "https", "mailto")

# Spaces and C0/C1 controls break URLs in XML attributes and in every client's parser.
_BAD_CHARS = re.compile(r"[\s\x00-\x1f\x7f-\x9f]")
# What urlsplit's ``hostname`` may be: an IPv6 address (brackets removed) or a name.
_HOST = re.compile(r"^(?:[0-9a-f:.]+|[^\s/?#@:\[\]\\]+)$")
_MAILBOX = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def url_problem(url: str, schemes: tuple[str, ...] = WEB) -> str | None:
    """Why ``url`` is not an acceptable absolute URL with one of ``schemes``; None if it is.

    The reason reads after the URL: ``f"{url!r} {reason}"``.
    """
    if not url:
        return "is empty"
    if _BAD_CHARS.search(url):
        return "contains a space or a control character"
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return "has an invalid port or host"
    scheme = parts.scheme.lower()
    if scheme not in schemes:
        allowed = " or ".join(f"{s}:" for s in schemes)
        return f"must start with {allowed}"
    if scheme == "mailto":
        return None if _MAILBOX.match(parts.path) else "is not a mail address"
    if not url.lower().startswith(f"{scheme}://"):
        return f"must start with {scheme}://"
    host = parts.hostname
    if not host:
        return "has no host"
    if not _HOST.match(host):
        return "has an invalid host"
    if port is not None and not 0 < port < 65536:
        return "has an invalid port"
    return None


def base_url_problem(url: str) -> str | None:
    """Why ``url`` cannot be the address the build folder is served at; None if it can.

    On top of :func:`url_problem`: no ``?query`` or ``#fragment``, since file names are
    appended to it.
    """
    problem = url_problem(url, WEB)
    if problem is not None:
        return problem
    parts = urlsplit(url)
    if parts.query or url.endswith("?"):
        return "must not have a ?query: file names are added after it"
    if parts.fragment or "#" in url:
        return "must not have a #fragment: file names are added after it"
    return None


def is_mailbox(address: str) -> bool:
    """Whether ``address`` looks like ``name@example.org`` (no spaces, one @, a dot after it)."""
    return bool(_MAILBOX.match(address)) and not _BAD_CHARS.search(address)


def is_loopback(url: str) -> bool:
    """Whether ``url``'s host is this machine (``localhost``, 127.0.0.0/8, ``::1``): a
    client sends no such request through a proxy, whatever the environment says (requests
    honours ``NO_PROXY``, but a proxy variable alone would take 127.0.0.1 to the proxy)."""
    try:
        host = urlsplit(url).hostname or ""
    except ValueError:
        return False
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
