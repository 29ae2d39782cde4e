<?php
// Signs Aperçu URLs (APERCU_SIGNATURES=required). PHP 7.4+, no extension beyond hash.

// The parameters each route signs besides `exp` (oEmbed consumers add maxwidth/maxheight).
const APERCU_SIGNED = [
    'card.png' => ['v'], 'card.jpg' => ['v'], 'card.webp' => ['v'], 'embed' => ['v'],
    'thumb' => ['w', 'v'], 'oembed' => ['format'], 'oembed.json' => ['format'], 'oembed.xml' => ['format'],
];

/** The URL of $route (e.g. "card.jpg") for $articleUrl, signed with $secret (raw bytes). */
function apercu_sign(string $publicUrl, string $route, string $articleUrl, string $keyId,
                     string $secret, array $params = [], ?int $expiresIn = null): string
{
    if ($expiresIn !== null) {
        $params['exp'] = (string) (time() + $expiresIn);
    }
    $names = array_merge(APERCU_SIGNED[$route] ?? [], ['exp']);
    $signed = array_filter($params, fn ($k) => in_array($k, $names, true), ARRAY_FILTER_USE_KEY);
    ksort($signed, SORT_STRING);
    $canonical = implode("\n", ['apercu-v1', $route, $articleUrl, http_build_query($signed)]);
    $mac = hash_hmac('sha256', $canonical, $secret, true);
    $s = rtrim(strtr(base64_encode($mac), '+/', '-_'), '=');
    $query = http_build_query(['url' => $articleUrl] + $params + ['k' => $keyId, 's' => $s]);
    return rtrim($publicUrl, '/') . '/' . $route . '?' . $query;
}

// From the command line: php sign.php PUBLIC_URL ROUTE ARTICLE_URL KEY_ID SECRET_HEX [NAME=VALUE]…
if (PHP_SAPI === 'cli' && realpath($argv[0] ?? '') === __FILE__) {
    [, $public, $route, $article, $keyId, $secretHex] = $argv;
    $extra = [];
    foreach (array_slice($argv, 6) as $pair) {
        [$name, $value] = explode('=', $pair, 2);
        $extra[$name] = $value;
    }
    echo apercu_sign($public, $route, $article, $keyId, hex2bin($secretHex), $extra), "\n";
}
