"""Who is asking: the client address as seen by the reverse proxy when the site runs behind one."""

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str:
    """REMOTE_ADDR, or behind the trusted proxy (BEHIND_PROXY) the address it appended to X-Forwarded-For.

    Only the last entry is trusted: the proxy appends the peer it saw, anything before it came from the client.
    """
    if settings.BEHIND_PROXY:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        last = forwarded.rsplit(",", 1)[-1].strip()
        if last:
            return last[:64]
    return request.META.get("REMOTE_ADDR", "")[:64]
