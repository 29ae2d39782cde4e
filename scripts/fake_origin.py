#!/usr/bin/env python3
"""A loopback news site for the load test: /a/<id> is an article (the example article's title,
section and photo) whose lead photo is shared by all articles; /p/<id> is one whose photo URL is
its own (/img/<id>.jpg), so that each costs a photo fetch and decode too. Every photo is
assets/sample-photo.jpg. /sitemap/<a|p>/<name>.xml?n=N is a sitemap of N new articles
/<a|p>/<name>-1 … -N, for warm-up. /stats?prefix=P says how many requests paths starting with P got:
{"paths": distinct paths, "requests": all of them, "max": the most any one path got}."""
import collections
import http.server
import json
import pathlib
import sys
import threading
import urllib.parse

ROOT = pathlib.Path(__file__).resolve().parent.parent
PHOTO = (ROOT / "assets" / "sample-photo.jpg").read_bytes()
PAGE = """<!doctype html><html lang="fr"><head><meta charset="utf-8">
<title>Microsoft investit 2,9 milliards de dollars dans l'IA au Japon ({id})</title>
<meta property="og:title" content="Microsoft investit 2,9 milliards de dollars dans l'IA au Japon">
<meta property="og:site_name" content="Le Journal">
<meta property="article:section" content="CHIFFRES">
<meta property="og:image" content="{photo}">
<meta name="description" content="Le groupe américain va investir 2,9 milliards de dollars sur deux ans au Japon.">
</head><body><article><h1>Microsoft investit 2,9 milliards de dollars dans l'IA au Japon</h1>
<p>Le groupe américain va investir 2,9 milliards de dollars sur deux ans au Japon pour y
développer ses infrastructures d'intelligence artificielle et de cloud.</p></article></body></html>"""


REQUESTS = collections.Counter()
LOCK = threading.Lock()


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body are two writes: with Nagle's algorithm and delayed ACKs each answer
    # would wait 40 ms, which capped cold renders at 4 slots / 40 ms = 100 a second.
    disable_nagle_algorithm = True

    def do_GET(self):
        path = self.path
        if path.startswith("/stats?"):
            prefix = urllib.parse.parse_qs(urllib.parse.urlsplit(path).query).get("prefix", [""])[0]
            with LOCK:
                counts = [n for p, n in REQUESTS.items() if p.startswith(prefix)]
            stats = {"paths": len(counts), "requests": sum(counts), "max": max(counts, default=0)}
            self.answer("application/json", json.dumps(stats).encode())
            return
        with LOCK:
            REQUESTS[path] += 1
        if path.startswith("/sitemap/"):
            parts = urllib.parse.urlsplit(path)
            kind, name = parts.path[len("/sitemap/"):].removesuffix(".xml").split("/", 1)
            count = int(urllib.parse.parse_qs(parts.query).get("n", ["100"])[0])
            host = self.headers.get("host", "127.0.0.1")
            urls = "".join(f"<url><loc>http://{host}/{kind}/{name}-{n}</loc></url>" for n in range(1, count + 1))
            sitemap = f'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>'
            self.answer("application/xml", sitemap.encode())
        elif path.startswith("/a/") or path.startswith("/p/"):
            article = path[3:]
            photo = "/img/shared.jpg" if path.startswith("/a/") else f"/img/{article}.jpg"
            self.answer("text/html; charset=utf-8", PAGE.format(id=article, photo=photo).encode())
        elif path.startswith("/img/"):
            self.answer("image/jpeg", PHOTO)
        else:
            self.send_error(404)

    def answer(self, content_type, body):
        self.send_response(200)
        self.send_header("content-type", content_type)
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


if __name__ == "__main__":
    port = int(sys.argv[1])
    http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler).serve_forever()
