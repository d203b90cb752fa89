"""Where requests go: a Mega-api host label or an explicit base URL, validated so the token cannot leak.

Each instance lives on one host (`api2`, `apistart01`, `apibusiness1`, ...), all under `megaapi.com.br`.
`host` accepts the label, the full hostname or an https URL of it, and always ends up as
`https://<label>.megaapi.com.br`. `base_url` is for anything else (a proxy, a white-label domain, the local
emulator): it must be https, except on loopback addresses.
"""

from __future__ import annotations

import re
from urllib.parse import SplitResult, urlsplit

from .errors import ConfigurationError

DOMAIN = "megaapi.com.br"
_LABEL = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?")
_HOSTNAME = re.compile(r"(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)*[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?")
_FORBIDDEN_IN_URL = re.compile(r"[\s\\\x00-\x1f\x7f]")


def base_url_for(*, host: str | None, base_url: str | None) -> str:
    """The validated base URL, without a trailing slash, from exactly one of `host` and `base_url`."""
    if host is not None and base_url is not None:
        raise ConfigurationError("Give either host or base_url, not both")
    if base_url is not None:
        return _checked_base_url(base_url)
    if host is not None:
        return f"https://{host_label(host)}.{DOMAIN}"
    raise ConfigurationError(
        "No host: pass host='apistart01' (the host shown for your instance in the Mega-api panel) or base_url=..., "
        "or set MEGAAPI_HOST / MEGAAPI_BASE_URL"
    )


def host_label(host: str) -> str:
    """The host label from `apistart01`, `apistart01.megaapi.com.br` or `https://apistart01.megaapi.com.br/`."""
    if not isinstance(host, str):
        raise ConfigurationError(f"host must be a string, not {type(host).__name__}")
    text = host.strip()
    if "://" in text:
        parts = _split(text, "host")
        if parts.scheme != "https" or parts.path not in ("", "/") or parts.query or parts.fragment:
            raise ConfigurationError(f"host URL must look like https://<host>.{DOMAIN}, got {host!r}")
        text = parts.netloc
    # ASCII first: lower() maps some non-ASCII letters to ASCII (the Kelvin sign becomes "k").
    if not text.isascii():
        raise ConfigurationError(f"host must be written in ASCII (use the xn-- form of a name), got {host!r}")
    name = text.lower()
    if name.endswith("." + DOMAIN):
        name = name[: -len(DOMAIN) - 1]
    if not name.isascii() or not _LABEL.fullmatch(name):
        raise ConfigurationError(
            f"host must be a Mega-api host name such as 'apistart01' or 'apistart01.{DOMAIN}', got {host!r}; "
            "use base_url for any other server"
        )
    return name


def _checked_base_url(base_url: str) -> str:
    if not isinstance(base_url, str):
        raise ConfigurationError(f"base_url must be a string, not {type(base_url).__name__}")
    parts = _split(base_url.strip(), "base_url")
    if not parts.scheme or not parts.netloc:
        raise ConfigurationError(
            "base_url must be a full URL starting with https:// (http:// only on loopback), such as "
            "https://proxy.example.com or http://127.0.0.1:8000"
        )
    if not parts.netloc.isascii():
        raise ConfigurationError("base_url must be ASCII; write internationalised host names in their xn-- form")
    hostname = (parts.hostname or "").lower()
    if parts.username is not None or parts.password is not None or "@" in parts.netloc:
        raise ConfigurationError("base_url must not contain credentials (user@host)")
    if parts.query or parts.fragment or "?" in base_url or "#" in base_url:
        raise ConfigurationError("base_url must not have a query or a fragment")
    if not hostname.isascii() or not (_HOSTNAME.fullmatch(hostname) or _is_ip(hostname)):
        raise ConfigurationError(
            f"base_url has an invalid host {parts.hostname!r}; write internationalised names in their xn-- form"
        )
    if parts.scheme == "http":
        if not _is_loopback(hostname):
            raise ConfigurationError("base_url must use https; plain http is only allowed on loopback addresses")
    elif parts.scheme != "https":
        raise ConfigurationError(f"base_url must be an https URL, got scheme {parts.scheme!r}")
    try:
        port = parts.port
    except ValueError as exc:
        raise ConfigurationError("base_url has an invalid port") from exc
    netloc = hostname if port is None else f"{hostname}:{port}"
    if ":" in hostname:
        netloc = f"[{hostname}]" if port is None else f"[{hostname}]:{port}"
    return f"{parts.scheme}://{netloc}{parts.path.rstrip('/')}"


def _split(url: str, what: str) -> SplitResult:
    if _FORBIDDEN_IN_URL.search(url):
        raise ConfigurationError(f"{what} contains whitespace, backslashes or control characters")
    try:
        return urlsplit(url)
    except ValueError as exc:
        raise ConfigurationError(f"{what} is not a valid URL") from exc


def _is_ip(hostname: str) -> bool:
    import ipaddress

    try:
        ipaddress.ip_address(hostname)
    except ValueError:
        return False
    return True


def _is_loopback(hostname: str) -> bool:
    if hostname == "localhost":
        return True
    import ipaddress

    try:
        return ipaddress.ip_address(hostname).is_loopback
    except ValueError:
        return False
