"""Signs Aperçu URLs (APERCU_SIGNATURES=required). Standard library only."""
import base64
import hashlib
import hmac
import time
from urllib.parse import urlencode

# The parameters each route signs besides `exp` (oEmbed consumers add maxwidth/maxheight).
SIGNED = {
    "card.png": ["v"], "card.jpg": ["v"], "card.webp": ["v"], "embed": ["v"],
    "thumb": ["w", "v"], "oembed": ["format"], "oembed.json": ["format"], "oembed.xml": ["format"],
}


def sign(public_url, route, article_url, key_id, secret, params=None, expires_in=None):
    """The URL of `route` (e.g. "card.jpg") for `article_url`, signed with `secret` (bytes)."""
    params = dict(params or {})
    if expires_in is not None:
        params["exp"] = str(int(time.time()) + expires_in)
    signed = sorted((k, v) for k, v in params.items() if k in SIGNED.get(route, []) + ["exp"])
    canonical = "\n".join(["apercu-v1", route, article_url, urlencode(signed)])
    mac = hmac.new(secret, canonical.encode(), hashlib.sha256).digest()
    signature = base64.urlsafe_b64encode(mac).rstrip(b"=").decode()
    query = urlencode([("url", article_url), *params.items(), ("k", key_id), ("s", signature)])
    return f"{public_url.rstrip('/')}/{route}?{query}"


if __name__ == "__main__":
    import sys

    public, route, article, key_id, secret_hex, *pairs = sys.argv[1:]
    extra = dict(pair.split("=", 1) for pair in pairs)
    print(sign(public, route, article, key_id, bytes.fromhex(secret_hex), extra))
