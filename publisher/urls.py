"""Every URL rule, in one place: the author's addresses (front matter, ``--base-url``, the
links of the text, the references inside an SVG) and the base URL the feed and the website
are written under.

Hand-written on :func:`urllib.parse.urlsplit` and :mod:`ipaddress` because the rule is ours,
not a standard's: a reader or podcast app should only ever be sent to a web page (http, https)
or a mail address (mailto); ``javascript:``, ``data:``, ``file:`` and friends are refused, and
so is anything a client would have to guess at: no host or a host that is no host name or
address, a bad port, spaces, control characters or a backslash (which browsers read as ``/``
and Python does not). A user name or password is refused too: the feed and the website print
the base URL for every listener. A scheme and a host are case-insensitive (RFC 3986, 3.1 and
3.2.2): ``HTTP://EXAMPLE.ORG/`` is accepted, and the feed writes its scheme in lower case.
"""

from __future__ import annotations

import ipaddress
import re
import unicodedata
from urllib.parse import SplitResult, quote, urlsplit, urlunsplit

import idna

WEB = ("http", "https")
WEB_OR_MAIL = ("http", "https", "mailto")

# Spaces and C0/C1 controls break URLs in XML attributes and in every client's parser.
_BAD_CHARS = re.compile(r"[\s\x00-\x1f\x7f-\x9f]")
_MAILBOX = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
# One label of a host name (RFC 1123: letters, digits, inner hyphens; 63 at most).
_LABEL = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$")
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
MAX_HOST = 253
"""The longest host name DNS can carry (RFC 1035, in its dotted form)."""


def is_url(reference: str) -> bool:
    """Whether ``reference`` (a path the author wrote: an image, the cover) is an address
    somewhere else rather than a file: it has a scheme (``https:``, ``data:``, ``file:``) or
    starts with ``//``."""
    return bool(_SCHEME.match(reference)) or reference.startswith(("//", "\\\\"))


def url_problem(url: str, schemes: tuple[str, ...] = WEB) -> str | None:
    """Why ``url`` is not an acceptable absolute URL with one of ``schemes``; None if it is.

    The reason reads after the URL: ``f"{url!r} {reason}"``.
    """
    if not url:
        return "is empty"
    if _BAD_CHARS.search(url):
        return "contains a space or a control character"
    invisible = next((c for c in url if unicodedata.category(c) == "Cf"), None)
    if invisible is not None:
        # A zero-width space or a direction mark: the reader cannot see what they follow.
        return f"contains the invisible character U+{ord(invisible):04X}"
    if "\\" in url:
        return "contains a backslash"
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
    if "@" in parts.netloc:
        return "must not hold a user name or password: every reader would see them"
    problem = host_problem(parts)
    if problem is not None:
        return problem
    if port is not None and not 0 < port < 65536:
        return "has an invalid port"
    return None


def host_problem(parts: SplitResult) -> str | None:
    """Why the host of ``parts`` is not a host name or an IP address; None if it is."""
    host = parts.hostname
    if not host:
        return "has no host"
    if parts.netloc.startswith("["):
        try:
            ipaddress.IPv6Address(host)
        except ValueError:
            return "has an invalid IPv6 address"
        return None
    ascii_host = host if host.isascii() else _ascii_host(host)
    if ascii_host is None:
        return "has an invalid host"
    labels = ascii_host.split(".")
    if len(ascii_host) > MAX_HOST or not all(_LABEL.match(label) for label in labels):
        return "has an invalid host"
    if labels[-1].isdigit():  # a numeric last label makes the host an IPv4 address
        try:
            ipaddress.IPv4Address(ascii_host)
        except ValueError:
            return "has an invalid IPv4 address"
    return None


def _ascii_host(host: str) -> str | None:
    """An international host name in its ASCII form, as browsers find it (IDNA 2008 with
    UTS 46, the ``idna`` package): ``straße.de`` is ``xn--strae-oqa.de``, where Python's own
    ``idna`` codec (IDNA 2003) makes it ``strasse.de``, another domain. None if it is no
    host name."""
    try:
        return idna.encode(host, uts46=True).decode("ascii")
    except idna.IDNAError:
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


def base_url(url: str) -> str:
    """The checked base URL ``url`` as the feed and the website write it: the scheme in
    lower case, ASCII (:func:`public_url`) and exactly one ``/`` at the end. Raises
    :class:`ValueError` with the reason when it is not one (the command line and the front
    matter refuse such a URL first)."""
    url = url.strip()
    problem = base_url_problem(url)
    if problem is not None:
        raise ValueError(f"base URL {url!r} {problem}")
    public = public_url(url)
    return f"{public.rstrip('/')}/"


# What a URL keeps as it is: RFC 3986's reserved and unreserved characters, and "%" of an
# escape already written.
_KEEP = "/:@!$&'()*+,;=-._~%?#[]"


def public_url(url: str) -> str:
    """A checked web address (:func:`url_problem`) in the form every client reads: the
    scheme in lower case, an international host name in its ASCII form (``bücher.example``
    → ``xn--bcher-kva.example``) and every other character outside ASCII percent-encoded
    as UTF-8 (RFC 3987, 3.1); an ASCII address is unchanged but for its scheme. Python's
    ``urllib`` cannot even send a request for ``/boeken/één/``; a feed is read by such
    clients."""
    parts = urlsplit(url)
    netloc = parts.netloc  # as written: a feed's podcast:guid is made from its address
    if not netloc.isascii():
        host = _ascii_host(parts.hostname or "") or ""  # checked by url_problem
        netloc = host if parts.port is None else f"{host}:{parts.port}"

    def encoded(part: str) -> str:
        return quote(re.sub(r"%(?![0-9A-Fa-f]{2})", "%25", part), safe=_KEEP)

    return urlunsplit(
        (
            parts.scheme.lower(),
            netloc,
            encoded(parts.path) or "/",
            encoded(parts.query),
            encoded(parts.fragment),
        )
    )


def link_problem(href: str) -> str | None:
    """Why a link of the text to ``href`` (not a ``#fragment``) cannot be followed by a
    reader; None if it can: a web or mail address by :func:`url_problem`."""
    return url_problem(href, WEB_OR_MAIL)


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
