"""The pageview definition, case by case: each row says why it is or is not a pageview."""

from __future__ import annotations

import pytest

from backend.codes import Access
from backend.ingest.requests.definition import Pageview, PageviewRules, normalise_title
from backend.ingest.requests.records import Request

HTML = "text/html; charset=UTF-8"
FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:120.0) Gecko/20100101 Firefox/120.0"
APP = "WikipediaApp/2.7.50 (Android 13; Phone) Google Play"
IOS_APP = "WikipediaApp/7.4.0 (iOS 17.0; Phone)"
D, MW, MA = Access.DESKTOP, Access.MOBILE_WEB, Access.MOBILE_APP


def req(
    path="/wiki/Foo",
    query="",
    host="en.wikipedia.org",
    status=200,
    ctype=HTML,
    ua=FIREFOX,
    xa="",
):
    return Request(0, 0, host, path, query, status, ctype, ua, "192.0.2.1", xa)


# (why, request, expected: (project, title, access) or the reason it is not a pageview)
CASES = [
    # article URL forms
    ("plain article path", req(), ("en.wikipedia", "Foo", D)),
    ("index.php?title=", req("/w/index.php", "?title=Foo"), ("en.wikipedia", "Foo", D)),
    ("index.php/Title", req("/w/index.php/Foo"), ("en.wikipedia", "Foo", D)),
    ("curid without title", req("/w/index.php", "?curid=123"), ("en.wikipedia", "-", D)),
    ("oldid counts", req("/w/index.php", "?oldid=5&title=Foo"), ("en.wikipedia", "Foo", D)),
    ("search query", req("/w/index.php", "?search=cats"), ("en.wikipedia", "-", D)),
    (
        "history action counts",
        req("/w/index.php", "?title=Foo&action=history"),
        ("en.wikipedia", "Foo", D),
    ),
    ("title param wins over path", req("/wiki/Bar", "?title=Foo"), ("en.wikipedia", "Foo", D)),
    ("query on article path", req("/wiki/Foo", "?uselang=de"), ("en.wikipedia", "Foo", D)),
    ("Special page counts", req("/wiki/Special:Random"), ("en.wikipedia", "Special:Random", D)),
    ("talk namespace counts", req("/wiki/User_talk:X"), ("en.wikipedia", "User_talk:X", D)),
    (
        "variant path zh-hans",
        req("/zh-hans/Foo", host="zh.wikipedia.org"),
        ("zh.wikipedia", "Foo", D),
    ),
    ("variant path sr-ec", req("/sr-ec/Foo", host="sr.wikipedia.org"), ("sr.wikipedia", "Foo", D)),
    ("empty title is -", req("/wiki/"), ("en.wikipedia", "-", D)),
    ("304 counts", req(status=304), ("en.wikipedia", "Foo", D)),
    # titles
    ("percent-decoded once", req("/wiki/Stra%C3%9Fe"), ("en.wikipedia", "Straße", D)),
    ("%25 decoded once only", req("/wiki/100%2525"), ("en.wikipedia", "100%25", D)),
    (
        "plus in query is underscore",
        req("/w/index.php", "?title=New+York"),
        ("en.wikipedia", "New_York", D),
    ),
    ("plus in path stays", req("/wiki/C++"), ("en.wikipedia", "C++", D)),
    ("space becomes underscore", req("/wiki/New%20York"), ("en.wikipedia", "New_York", D)),
    ("invalid UTF-8 escapes give -", req("/wiki/%FF%FE"), ("en.wikipedia", "-", D)),
    ("brackets are no title", req("/wiki/%5B%5BX%5D%5D"), ("en.wikipedia", "-", D)),
    ("pipe is no title", req("/wiki/A%7CB"), ("en.wikipedia", "-", D)),
    ("over 512 bytes is -", req("/wiki/" + "é" * 257), ("en.wikipedia", "-", D)),
    ("RTL title kept", req("/wiki/%D7%A9%D7%9C%D7%95%D7%9D"), ("en.wikipedia", "שלום", D)),
    ("emoji title kept", req("/wiki/%F0%9F%98%80"), ("en.wikipedia", "😀", D)),
    # hosts and access methods
    ("mobile host", req(host="en.m.wikipedia.org"), ("en.wikipedia", "Foo", MW)),
    ("zero host is mobile", req(host="en.zero.wikipedia.org"), ("en.wikipedia", "Foo", MW)),
    ("mobile skin on desktop host", req(query="?useskin=minerva"), ("en.wikipedia", "Foo", MW)),
    (
        "useformat=mobile",
        req("/w/index.php", "?title=Foo&useformat=mobile"),
        ("en.wikipedia", "Foo", MW),
    ),
    ("commons", req(host="commons.wikimedia.org"), ("commons.wikimedia", "Foo", D)),
    ("commons mobile", req(host="commons.m.wikimedia.org"), ("commons.wikimedia", "Foo", MW)),
    ("meta", req(host="meta.wikimedia.org"), ("meta.wikimedia", "Foo", D)),
    ("wikidata www", req("/wiki/Q42", host="www.wikidata.org"), ("wikidata", "Q42", D)),
    ("wikidata mobile", req("/wiki/Q42", host="m.wikidata.org"), ("wikidata", "Q42", MW)),
    ("mediawiki.org", req(host="www.mediawiki.org"), ("mediawiki", "Foo", D)),
    ("wiktionary", req(host="fr.wiktionary.org"), ("fr.wiktionary", "Foo", D)),
    ("wikivoyage mobile", req(host="de.m.wikivoyage.org"), ("de.wikivoyage", "Foo", MW)),
    ("host case-insensitive upstream", req(host="en.wikipedia.org"), ("en.wikipedia", "Foo", D)),
    ("app UA on web HTML is app", req(ua=APP), ("en.wikipedia", "Foo", MA)),
    # app pageviews
    (
        "app JSON marked pageview=1",
        req("/api/rest_v1/page/mobile-html/Foo", ctype="application/json", ua=APP, xa="pageview=1"),
        ("en.wikipedia", "Foo", MA),
    ),
    (
        "app api.php sections=0",
        req(
            "/w/api.php", "?action=mobileview&page=Foo&sections=0", ctype="application/json", ua=APP
        ),
        ("en.wikipedia", "Foo", MA),
    ),
    (
        "iOS app sections=all",
        req(
            "/w/api.php",
            "?action=mobileview&page=Foo&sections=all",
            ctype="application/json; charset=utf-8",
            ua=IOS_APP,
        ),
        ("en.wikipedia", "Foo", MA),
    ),
    (
        "Android app sections=all is not",
        req(
            "/w/api.php",
            "?action=mobileview&page=Foo&sections=all",
            ctype="application/json",
            ua=APP,
        ),
        "content_type",
    ),
    (
        "app JSON without marker",
        req("/api/rest_v1/page/summary/Foo", ctype="application/json", ua=APP),
        "content_type",
    ),
    (
        "JSON from a browser",
        req("/w/api.php", "?sections=0", ctype="application/json"),
        "content_type",
    ),
    # not pageviews
    ("preview", req(xa="preview=1"), "preview"),
    ("preview among other X-Analytics", req(xa="ns=0;preview=1;https=1"), "preview"),
    ("404", req(status=404), "status"),
    ("500", req(status=500), "status"),
    ("301 redirect", req(status=301), "redirect"),
    ("302 redirect", req(status=302), "redirect"),
    ("not a wiki host", req(host="example.org"), "host"),
    ("www.wikipedia.org portal", req("/", host="www.wikipedia.org"), "host"),
    ("donate host", req(host="donate.wikipedia.org"), "host"),
    ("test.wikidata", req(host="test.wikidata.org"), "host"),
    ("query.wikidata", req(host="query.wikidata.org"), "host"),
    ("JavaScript", req("/w/load.php", "?modules=x", ctype="text/javascript"), "content_type"),
    ("image", req("/wiki/File.png", ctype="image/png"), "content_type"),
    ("HTML charset variant not listed", req(ctype="text/html; charset=utf8"), "content_type"),
    ("api.php HTML", req("/w/api.php", "?action=help", ctype=HTML), "api"),
    ("other path", req("/static/foo.html"), "path"),
    ("root path", req("/"), "path"),
    ("edit action", req("/w/index.php", "?title=Foo&action=edit"), "action"),
    ("submit action", req("/w/index.php", "?title=Foo&action=submit"), "action"),
    ("visual editor source", req("/wiki/Foo", "?veaction=editsource"), "action"),
    ("login page", req("/wiki/Special:UserLogin"), "special"),
    ("banner random", req("/wiki/Special:BannerRandom"), "special"),
    ("central auto login", req("/wiki/Special:CentralAutoLogin/start"), "special"),
    ("login in query", req("/w/index.php", "?title=Special:UserLogin&returnto=X"), "special"),
]


@pytest.mark.parametrize(("why", "request_", "expected"), CASES, ids=[c[0] for c in CASES])
def test_wikimedia_definition(why, request_, expected):
    verdict = PageviewRules().judge(request_)
    if isinstance(expected, str):
        assert verdict == expected, why
    else:
        assert verdict == Pageview(*expected), why


def test_there_are_at_least_sixty_cases():
    assert len(CASES) + len(OWN_WIKI) >= 60


OWN = PageviewRules({"wiki.example.org": "example.wiki"}, "/page/", "/mw")
# A third-party wiki: $wgArticlePath = "/page/$1", $wgScriptPath = "/mw".
OWN_WIKI = [
    ("own article path", req("/page/Foo", host="wiki.example.org"), ("example.wiki", "Foo", D)),
    (
        "own index.php",
        req("/mw/index.php", "?title=Foo", host="wiki.example.org"),
        ("example.wiki", "Foo", D),
    ),
    (
        "own index.php/Title",
        req("/mw/index.php/Foo", host="wiki.example.org"),
        ("example.wiki", "Foo", D),
    ),
    ("Wikimedia path is not this wiki's", req("/wiki/Foo", host="wiki.example.org"), "path"),
    (
        "combined log without content type: article",
        req("/page/Foo", host="wiki.example.org", ctype=""),
        ("example.wiki", "Foo", D),
    ),
    (
        "combined log without content type: load.php",
        req("/mw/load.php", "?modules=x", host="wiki.example.org", ctype=""),
        "path",
    ),
    (
        "combined log without content type: image",
        req("/mw/images/a.png", host="wiki.example.org", ctype=""),
        "path",
    ),
    ("unconfigured host", req("/page/Foo", host="other.example.org"), "host"),
    ("Wikimedia hosts still work", req(), ("en.wikipedia", "Foo", D)),
]


@pytest.mark.parametrize(("why", "request_", "expected"), OWN_WIKI, ids=[c[0] for c in OWN_WIKI])
def test_own_wiki_definition(why, request_, expected):
    verdict = OWN.judge(request_)
    if isinstance(expected, str):
        assert verdict == expected, why
    else:
        assert verdict == Pageview(*expected), why


def test_normalise_title_rejects_what_wikimedia_rejects():
    assert normalise_title("a#b") == "-"
    assert normalise_title("<script>") == "-"
    assert normalise_title("a b") == "a_b"
    assert normalise_title(None) == "-"
