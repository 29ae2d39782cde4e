// Signs Aperçu URLs (APERCU_SIGNATURES=required). Node.js 18+, no dependency.
import { createHmac } from 'node:crypto';

// The parameters each route signs besides `exp` (oEmbed consumers add maxwidth/maxheight).
const SIGNED = {
  'card.png': ['v'], 'card.jpg': ['v'], 'card.webp': ['v'], embed: ['v'],
  thumb: ['w', 'v'], oembed: ['format'], 'oembed.json': ['format'], 'oembed.xml': ['format'],
};

/** The URL of `route` (e.g. "card.jpg") for `articleUrl`, signed with `secret` (a Buffer). */
export function sign(publicUrl, route, articleUrl, keyId, secret, params = {}, expiresIn = null) {
  const all = { ...params };
  if (expiresIn !== null) all.exp = String(Math.floor(Date.now() / 1000) + expiresIn);
  const names = [...(SIGNED[route] || []), 'exp'];
  const signed = Object.entries(all).filter(([k]) => names.includes(k))
    .sort(([a, x], [b, y]) => (a < b ? -1 : a > b ? 1 : x < y ? -1 : x > y ? 1 : 0));
  const canonical = ['apercu-v1', route, articleUrl, new URLSearchParams(signed).toString()].join('\n');
  const s = createHmac('sha256', secret).update(canonical).digest('base64url');
  const query = new URLSearchParams([['url', articleUrl], ...Object.entries(all), ['k', keyId], ['s', s]]);
  return `${publicUrl.replace(/\/+$/, '')}/${route}?${query}`;
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop())) {
  const [publicUrl, route, article, keyId, secretHex, ...pairs] = process.argv.slice(2);
  const extra = Object.fromEntries(pairs.map((pair) => pair.split(/=(.*)/s).slice(0, 2)));
  console.log(sign(publicUrl, route, article, keyId, Buffer.from(secretHex, 'hex'), extra));
}
