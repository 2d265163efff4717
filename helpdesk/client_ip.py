"""The address of the client behind a request, for rate limits and logs.

Behind N reverse proxies that each append to X-Forwarded-For, the client is the N-th
address from the right: anything further left was written by the client and can be
forged. With no proxy configured (the default) only REMOTE_ADDR counts.
"""

import ipaddress

from django.conf import settings


def client_address(request) -> str:
    remote = request.META.get("REMOTE_ADDR", "")
    proxies = settings.HELPDESK_TRUSTED_PROXY_COUNT
    if proxies <= 0:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    if len(forwarded) < proxies:
        # Fewer hops than configured: the request did not come through the proxies.
        return remote
    client = forwarded[-proxies]
    try:
        return str(ipaddress.ip_address(client))
    except ValueError:
        # Not an address (more proxies configured than there are): not a client to count.
        return remote
