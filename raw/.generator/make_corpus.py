# ruff: noqa: E501  (HTML templates are kept on one line each, as the pages have them)
"""Regenerate the raw/ sample corpus (pages, zip dump, junk files), byte for byte.

Run from the repository root:  .venv/bin/python raw/.generator/make_corpus.py
The texts live in content_en.py / content_fa.py; the layouts (site chrome) are below. The output
is deterministic (fixed zip timestamps, no randomness), so an unchanged run leaves `git status`
clean. This folder is hidden so that `archive ingest raw/` does not read it.
"""

from __future__ import annotations

import hashlib
import io
import json
import sys
import zipfile
from html import escape as e
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from content_en import IPIS_EN, IPIS_EN_VERSIONS, PERSIAWIRE, TEHRANDAILY, ZIP_EN  # noqa: E402
from content_fa import CP1256, DIDBAN, IPIS_FA, IPIS_FA_VERSIONS, SEDAYE, ZIP_FA  # noqa: E402

OUT = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parent.parent


def filler_css(prefix: str, n: int) -> str:
    """Plausible minified CSS rules (deterministic)."""
    props = ["margin:0 auto", "padding:.5rem 1rem", "display:flex", "color:#1d3557",
             "font-size:.875rem", "border-bottom:1px solid #e5e5e5", "line-height:1.7",
             "background:#f7f7f7", "position:relative", "text-align:start"]
    rules = []
    for i in range(n):
        h = hashlib.md5(f"{prefix}{i}".encode()).hexdigest()
        sel = f".{prefix}-{h[:5]}" + (f" .{prefix}-{h[5:9]}" if i % 3 else "")
        rules.append(f"{sel}{{{props[i % 10]};{props[(i * 7) % 10]}}}")
    return "".join(rules)


def filler_js(name: str, n: int) -> str:
    """A plausible minified vendor script blob (deterministic, no article words)."""
    parts = [f"/*! {name} v3.4.1 | (c) vendor | MIT */!function(w,d){{'use strict';var M={{}};"]
    for i in range(n):
        h = hashlib.sha1(f"{name}{i}".encode()).hexdigest()
        parts.append(
            f"M['{h[:6]}']=function(a,b){{return a&&a.nodeType===1?a.getAttribute('data-{h[6:10]}')"
            f":b||'{h[10:18]}'}};"
        )
    parts.append("w.__vendor=M}(window,document);")
    return "".join(parts)


GTM = """<script>(function(w,d,s,l,i){w[l]=w[l]||[];w[l].push({'gtm.start':new Date().getTime(),event:'gtm.js'});var f=d.getElementsByTagName(s)[0],j=d.createElement(s),dl=l!='dataLayer'?'&l='+l:'';j.async=true;j.src='https://www.googletagmanager.com/gtm.js?id='+i+dl;f.parentNode.insertBefore(j,f);})(window,document,'script','dataLayer','GTM-XXXX11');</script>"""


def render_body_blocks(blocks) -> str:
    out = []
    for kind, content in blocks:
        if kind == "p":
            out.append(f"<p>{e(content)}</p>")
        else:
            items = "".join(f"<li>{e(x)}</li>" for x in content)
            out.append(f"<ul>{items}</ul>")
    return "\n".join(out)


# ---------------------------------------------------------------- IPIS (layouts A and B)
IPIS_MENU_EN = [
    ("Home", "/en", []),
    ("About IPIS", "/en/about", ["History", "Organization", "Board of Directors", "Annual Report"]),
    ("Research", "/en/research", ["Persian Gulf", "Central Asia & Caucasus", "Europe",
                                  "Americas", "Africa", "Energy", "International Law"]),
    ("Publications", "/en/publications", ["Iranian Review of Foreign Affairs",
                                          "Central Eurasia Studies", "Books", "Policy Briefs"]),
    ("Events", "/en/events", ["Conferences", "Roundtables", "Lectures"]),
    ("Analysis", "/en/analysis", []),
    ("Library", "/en/library", ["Catalogue", "Documents Centre"]),
    ("Contact", "/en/contact", []),
]
IPIS_MENU_FA = [
    ("خانه", "/fa", []),
    ("درباره مؤسسه", "/fa/about", ["تاریخچه", "ساختار سازمانی", "هیئت مدیره", "گزارش سالانه"]),
    ("پژوهش", "/fa/research", ["خلیج فارس", "آسیای مرکزی و قفقاز", "اروپا", "آمریکا",
                               "آفریقا", "انرژی", "حقوق بین‌الملل"]),
    ("انتشارات", "/fa/publications", ["فصلنامه سیاست خارجی", "فصلنامه مطالعات آسیای مرکزی",
                                       "کتاب‌ها", "گزارش‌های راهبردی"]),
    ("رویدادها", "/fa/events", ["همایش‌ها", "میزگردها", "سخنرانی‌ها"]),
    ("یادداشت و تحلیل", "/fa/analysis", []),
    ("کتابخانه", "/fa/library", ["فهرست کتب", "مرکز اسناد"]),
    ("تماس با ما", "/fa/contact", []),
]
IPIS_SIDEBAR_EN = [
    ("Iran–EU Relations after the Snapback Debate", "28 January 2025"),
    ("Central Asia's Energy Transition and Iran", "22 January 2025"),
    ("The Caspian Legal Regime Five Years On", "14 December 2024"),
    ("Afghanistan's Economy under the Taliban", "30 November 2024"),
    ("Maritime Security in the Strait of Hormuz", "2 October 2024"),
]
IPIS_SIDEBAR_FA = [
    ("روابط ایران و اروپا پس از بحث سازوکار ماشه", "۸ بهمن ۱۴۰۳"),
    ("گذار انرژی در آسیای مرکزی و جایگاه ایران", "۳ بهمن ۱۴۰۳"),
    ("رژیم حقوقی دریای خزر پنج سال پس از کنوانسیون اکتائو", "۲۴ آذر ۱۴۰۳"),
    ("اقتصاد افغانستان در دوره طالبان", "۱۰ آذر ۱۴۰۳"),
]


def ipis_menu(menu) -> str:
    lis = []
    for label, href, subs in menu:
        sub = ""
        if subs:
            sub = '<ul class="dropdown-menu">' + "".join(
                f'<li><a href="{href}/{i}">{e(s)}</a></li>' for i, s in enumerate(subs, 1)
            ) + "</ul>"
        lis.append(f'<li class="menu-item{" has-children" if subs else ""}">'
                   f'<a href="{href}">{e(label)}</a>{sub}</li>')
    return '<nav class="main-menu" role="navigation"><ul class="nav">' + "".join(lis) + "</ul></nav>"


COMMENT_BOX = """<section class="comments-area" id="comments">
<h3 class="comments-title">نظرات کاربران</h3>
<div class="comment-list"><p class="no-comment">تاکنون نظری ثبت نشده است</p></div>
<form class="comment-form" action="/comment/reply/{nid}" method="post">
<h4>ارسال دیدگاه</h4>
<div class="form-item"><label for="c-name">نام</label><input id="c-name" name="name" type="text"></div>
<div class="form-item"><label for="c-mail">ایمیل (منتشر نمی‌شود)</label><input id="c-mail" name="mail" type="email"></div>
<div class="form-item"><label for="c-body">متن دیدگاه</label><textarea id="c-body" name="comment_body" rows="6"></textarea></div>
<div class="captcha"><img src="/captcha/image/{nid}" alt="captcha"><input name="captcha_response" placeholder="کد امنیتی"></div>
<button type="submit" class="btn">ارسال</button>
</form>
</section>"""


def ipis_page(a: dict, lang: str, nid: int, alternate: str | None = None) -> str:
    fa = lang == "fa"
    menu = ipis_menu(IPIS_MENU_FA if fa else IPIS_MENU_EN)
    sidebar = IPIS_SIDEBAR_FA if fa else IPIS_SIDEBAR_EN
    side_html = "".join(
        f'<li><a href="/{lang}/analysis/{3100 + i}">{e(t)}</a><span class="date">{e(d)}</span></li>'
        for i, (t, d) in enumerate(sidebar)
    )
    tags = "".join(f'<a class="tag" href="/{lang}/tags/{e(t)}">{e(t)}</a> ' for t in a["tags"])
    if fa:
        disclaimer = ("دیدگاه‌های مطرح‌شده در این یادداشت، نظر نویسنده است و لزوماً بازتاب‌دهنده "
                      "دیدگاه‌های مؤسسه مطالعات سیاسی و بین‌المللی نیست.")
        views = f'<span class="views"><i class="icon-eye"></i> بازدید {a["views"]}</span>'
        share = "اشتراک‌گذاری:"
        site = "مؤسسه مطالعات سیاسی و بین‌المللی"
        most = "پربازدیدترین‌ها"
        home = "خانه"
        analysis = "یادداشت و تحلیل"
        addr = ("تهران، خیابان شهید باهنر (نیاوران)، خیابان شهید آقایی، پلاک ۱۲ — تلفن: "
                "۰۲۱-۲۲۸۰۲۶۷۱ — تمامی حقوق این وبگاه محفوظ است.")
        search_ph = "جستجو..."
        other_lang = '<a href="/en" hreflang="en">English</a>'
        newsletter = "عضویت در خبرنامه"
    else:
        disclaimer = ("The opinions expressed in this article are the author's own and do not "
                      "necessarily reflect the views of the Institute for Political and "
                      "International Studies.")
        views = f'<span class="views"><i class="icon-eye"></i> view {a["views"]}</span>'
        share = "Share:"
        site = "Institute for Political and International Studies"
        most = "Most viewed"
        home = "Home"
        analysis = "Analysis"
        addr = ("Shahid Aghaei St., Shahid Bahonar Ave., Niavaran, Tehran, Iran — Tel: "
                "+98 21 2280 2671 — © 2025 IPIS. All rights reserved.")
        search_ph = "Search..."
        other_lang = '<a href="/fa" hreflang="fa">فارسی</a>'
        newsletter = "Subscribe to our newsletter"
    url = f"https://www.ipis.example/{lang}/analysis/{nid}/{a['slug']}"
    css = filler_css("ipis", 260)
    js = filler_js("ipis-theme", 110)
    body = render_body_blocks(a["body"])
    return f"""<!DOCTYPE html>
<html lang="{lang}" dir="{'rtl' if fa else 'ltr'}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{e(a['title'])} | IPIS</title>
<link rel="canonical" href="{url}">
<link rel="shortlink" href="https://www.ipis.example/node/{nid}">
<link rel="alternate" hreflang="{'en' if fa else 'fa'}" href="https://www.ipis.example/{'en' if fa else 'fa'}">
{f'<link rel="alternate" hreflang="{"en" if fa else "fa"}" href="{alternate}">{chr(10)}' if alternate else ''}<link rel="stylesheet" href="/themes/ipis/css/bootstrap.min.css?v=3.4.1">
<link rel="stylesheet" href="/themes/ipis/css/style{'-rtl' if fa else ''}.css?q7x2">
<style>{css}</style>
{GTM}
<script>window.dataLayer=window.dataLayer||[];function gtag(){{dataLayer.push(arguments)}}gtag('js',new Date());gtag('config','G-IPIS0001');</script>
</head>
<body class="html not-front page-node page-node-{nid} node-type-analysis {'rtl' if fa else 'ltr'}">
<a href="#main-content" class="skip-link">Skip to main content</a>
<div class="top-bar"><div class="container">
<div class="lang-switch">{other_lang}</div>
<form class="search-form" action="/{lang}/search" method="get"><input type="search" name="keys" placeholder="{search_ph}"><button type="submit">&#128269;</button></form>
<ul class="social"><li><a href="https://t.me/ipis_example">Telegram</a></li><li><a href="https://x.com/ipis_example">X</a></li><li><a href="/rss.xml">RSS</a></li></ul>
</div></div>
<header class="site-header"><div class="container">
<a class="logo" href="/{lang}"><img src="/themes/ipis/logo.png" alt="IPIS - {e(site)}"></a>
<button class="navbar-toggle" type="button" aria-label="menu"><span></span><span></span><span></span></button>
{menu}
</div></header>
<div class="breadcrumb container"><a href="/{lang}">{home}</a> › <a href="/{lang}/analysis">{analysis}</a> › <span>{e(a['section'])}</span></div>
<main id="main-content" class="container"><div class="row">
<div class="col-md-8">
<article class="node node-analysis" id="node-{nid}">
<h1 class="news-title">{e(a['title'])}</h1>
<div class="news-lead">{e(a['lead'])}</div>
<div class="news-meta"><span class="date">{e(a['date_line'])}</span> {views}</div>
<div class="news-author">{e(a['author_line'])}</div>
<div class="news-body field-body">
{body}
<p class="signature"><strong>{e(a['signature'])}</strong></p>
<p class="disclaimer"><em>{e(disclaimer)}</em></p>
</div>
<div class="tags">{tags}</div>
<div class="share-links">{share} <a href="https://t.me/share/url?url={url}">Telegram</a> <a href="https://x.com/intent/tweet?url={url}">X</a> <a href="https://wa.me/?text={url}">WhatsApp</a> <a href="javascript:window.print()">Print</a></div>
</article>
{COMMENT_BOX.format(nid=nid)}
</div>
<aside class="col-md-4 sidebar">
<div class="block block-most-viewed"><h3>{most}</h3><ul>{side_html}</ul></div>
<div class="block block-newsletter"><h3>{newsletter}</h3><form><input type="email" name="email"><button>OK</button></form></div>
</aside>
</div></main>
<footer class="site-footer"><div class="container">
<div class="footer-menu">{ipis_menu((IPIS_MENU_FA if fa else IPIS_MENU_EN)[:5])}</div>
<p class="address">{e(addr)}</p>
</div></footer>
<script src="/themes/ipis/js/jquery.min.js"></script>
<script>{js}</script>
<script>jQuery(function($){{$('.navbar-toggle').on('click',function(){{$('.main-menu').toggleClass('open')}});$.post('/statistics/node/{nid}',{{nid:{nid}}});}});</script>
</body>
</html>
"""


# ---------------------------------------------------------------- Tehran Daily (layout C)
TD_SECTIONS = ["Politics", "Economy", "Society", "Sports", "Culture", "Tourism", "Op-Ed",
               "Sci-Tech", "Middle East", "International", "Multimedia", "Newspaper archive"]
TD_TICKER = [
    ("Leader receives air force commanders", "February 7, 2025"),
    ("Stock market index gains 2 percent", "February 6, 2025"),
    ("Snow closes roads in Gilan and Mazandaran", "February 5, 2025"),
]


def tehrandaily_page(a: dict, nid: int, charset: str = "UTF-8") -> str:
    url = f"https://www.tehrandaily.example/news/{nid}/{a['slug']}"
    ld = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "mainEntityOfPage": {"@type": "WebPage", "@id": url},
        "headline": a["headline"],
        "description": a["description"],
        "image": [f"https://static.tehrandaily.example/images/{nid}.jpg"],
        "datePublished": a["published"],
        "dateModified": a["modified"],
        "author": [{"@type": "Person", "name": n, "url": f"https://www.tehrandaily.example/author/{n.lower().replace(' ', '-')}"} for n in a["authors"]],
        "publisher": {"@type": "Organization", "name": "Tehran Daily",
                      "logo": {"@type": "ImageObject", "url": "https://www.tehrandaily.example/logo.png"}},
        "articleSection": a["section"],
    }
    crumbs = {"@context": "https://schema.org", "@type": "BreadcrumbList", "itemListElement": [
        {"@type": "ListItem", "position": 1, "name": "Home", "item": "https://www.tehrandaily.example/"},
        {"@type": "ListItem", "position": 2, "name": a["section"], "item": f"https://www.tehrandaily.example/section/{a['section'].lower()}"},
    ]}
    state = {"page": {"type": "article", "id": nid, "section": a["section"]},
             "trending": [{"title": t, "date": d} for t, d in TD_TICKER],
             "ads": {"slots": ["top-leaderboard", "mpu-1", "mpu-2", "sticky-footer"]}}
    nav = "".join(f'<li><a href="/section/{s.lower().replace(" ", "-")}">{e(s)}</a></li>' for s in TD_SECTIONS)
    ticker = "".join(f'<li><a href="/news/{nid - 40 + i}">{e(t)}</a> <time>{e(d)}</time></li>' for i, (t, d) in enumerate(TD_TICKER))
    byline = " and ".join(f'<a rel="author" href="/author/{n.lower().replace(" ", "-")}">{e(n)}</a>' for n in a["authors"])
    paras = [f"<p>{e(p)}</p>" for p in a["body"]]
    newsletter = ('<div class="inline-newsletter"><strong>Get the Tehran Daily briefing</strong>'
                  '<p>The day\'s top stories from Iran, in your inbox every morning.</p>'
                  '<form><input type="email" placeholder="Your email"><button>Sign up</button></form></div>')
    ad = ('<div class="ad-slot" id="mpu-1"><script>googletag.cmd.push(function(){googletag.display("mpu-1")});</script>'
          '<span class="ad-label">Advertisement</span></div>')
    paras.insert(2, newsletter)
    paras.insert(4, ad)
    related = "".join(
        f'<li><a href="/news/{nid - 100 - i}">{e(t)}</a><span class="rel-date">{e(d)}</span></li>'
        for i, (t, d) in enumerate(a["related"])
    )
    css = filler_css("td", 420)
    js = filler_js("td-bundle", 220)
    return f"""<!doctype html>
<html lang="en">
<head>
<meta charset="{charset}">
<meta http-equiv="X-UA-Compatible" content="IE=edge">
<meta name="viewport" content="width=device-width,initial-scale=1">
<title>{e(a['headline'])} - Tehran Daily</title>
<meta name="description" content="{e(a['description'])}">
<meta property="og:title" content="{e(a['headline'])} - Tehran Daily">
<meta property="og:type" content="article">
<meta property="og:url" content="{url}">
<meta property="og:site_name" content="Tehran Daily">
<link rel="canonical" href="{url}">
<link rel="amphtml" href="{url}/amp">
<script type="application/ld+json">{json.dumps(crumbs)}</script>
<script type="application/ld+json">{json.dumps(ld, indent=1)}</script>
<style>{css}</style>
{GTM}
<script async src="https://securepubads.g.doubleclick.net/tag/js/gpt.js"></script>
<script>window.googletag=window.googletag||{{cmd:[]}};</script>
</head>
<body class="article-page section-{a['section'].lower()}">
<div id="cookie-consent" class="cookie-banner" role="dialog">
<p>We use cookies to personalise content and ads, to provide social media features and to analyse our traffic. By continuing to browse this site you agree to our use of cookies. <a href="/privacy">Read our privacy policy</a>.</p>
<button class="accept">Accept all</button> <button class="settings">Cookie settings</button>
</div>
<div class="ticker"><span class="label">Latest</span><ul>{ticker}</ul></div>
<header class="masthead"><div class="wrap">
<a class="brand" href="/"><img src="/logo.svg" alt="Tehran Daily"></a>
<div class="today">Friday, February 7, 2025 | ۱۹ بهمن ۱۴۰۳</div>
<nav class="sections"><ul>{nav}</ul></nav>
<form class="site-search" action="/search"><input name="q" placeholder="Search Tehran Daily"></form>
</div></header>
<div class="ad-slot leaderboard" id="top-leaderboard"><span class="ad-label">Advertisement</span></div>
<main class="wrap">
<div class="article-grid">
<article class="story" itemscope itemtype="https://schema.org/NewsArticle">
<div class="kicker"><a href="/section/{a['section'].lower()}">{e(a['section'])}</a></div>
<h1 class="headline" itemprop="headline">{e(a['headline'])}</h1>
<p class="standfirst">{e(a['description'])}</p>
<div class="story-meta"><span class="byline">By {byline}</span> <span class="pubdate">{e(a['visible_date'])}</span> <span class="comments-count">0 Comments</span></div>
<div class="share-bar"><a class="share-fb" href="https://facebook.com/sharer?u={url}">Facebook</a> <a class="share-x" href="https://x.com/intent/tweet?url={url}">Share on X</a> <a class="share-wa" href="https://wa.me/?text={url}">WhatsApp</a> <a class="share-tg" href="https://t.me/share/url?url={url}">Telegram</a> <a class="share-mail" href="mailto:?subject=Tehran%20Daily">Email</a> <button class="copy-link">Copy link</button></div>
<figure class="lead-image"><img src="https://static.tehrandaily.example/images/{nid}.jpg" alt=""><figcaption>File photo. (Tehran Daily)</figcaption></figure>
<div class="story-body" itemprop="articleBody">
{chr(10).join(paras)}
</div>
<div class="story-tags">Tags: <a href="/tag/iran">Iran</a> <a href="/tag/{a['section'].lower()}">{e(a['section'])}</a></div>
</article>
<aside class="rail">
<section class="related"><h2>Related news</h2><ul>{related}</ul></section>
<section class="most-read"><h2>Most read</h2><ol>{''.join(f'<li><a href="/news/{nid - 7 * i}">{e(t)}</a></li>' for i, (t, _) in enumerate(TD_TICKER, 1))}</ol></section>
<div class="ad-slot" id="mpu-2"><span class="ad-label">Advertisement</span></div>
</aside>
</div>
<section class="comments"><h2>Comments</h2><p>Comments are moderated and will appear after approval. Please keep them civil.</p><form><textarea name="comment"></textarea><input name="name" placeholder="Name"><button>Post comment</button></form></section>
</main>
<footer class="site-footer"><div class="wrap">
<ul class="footer-links"><li><a href="/about">About us</a></li><li><a href="/contact">Contact</a></li><li><a href="/advertise">Advertise</a></li><li><a href="/privacy">Privacy</a></li><li><a href="/terms">Terms of use</a></li><li><a href="/rss">RSS</a></li><li><a href="/archive">Newspaper archive</a></li></ul>
<p>All rights reserved. Tehran Daily © 2025. Reproduction of material is allowed only with a link to the source.</p>
</div></footer>
<div class="sticky-footer ad-slot" id="sticky-footer"></div>
<script>window.__PRELOADED_STATE__={json.dumps(state)};</script>
<script>{js}</script>
</body>
</html>
"""


# ---------------------------------------------------------------- Persia Wire (layout D)
def persiawire_page(a: dict, nid: int) -> str:
    url = f"https://persiawire.example/{a['section'].lower().replace(' ', '-')}/{a['slug']}-{nid}"
    tags = "\n".join(f'<meta property="article:tag" content="{e(t)}">' for t in a["tags"])
    picks = "".join(f'<li><a href="/story/{nid - 3 - i}">{e(t)}</a> <small>{e(d)}</small></li>' for i, (t, d) in enumerate(a["picks"]))
    paras = "\n".join(f"<p>{e(p)}</p>" for p in a["body"])
    # a soft hyphen inside one word: a tokenisation trap
    paras = paras.replace("delegations", "dele\u00adgations", 1).replace("diplomacy", "diplo&shy;macy", 1)
    return f"""<!DOCTYPE html>
<html>
<head>
<meta charset="utf-8">
<title>{e(a['title'])} | Persia Wire</title>
<meta property="og:type" content="article">
<meta property="og:title" content="{e(a['title'])}">
<meta property="og:description" content="{e(a['description'])}">
<meta property="og:url" content="{url}">
<meta property="og:site_name" content="Persia Wire">
<meta property="og:image" content="https://persiawire.example/img/{nid}.jpg">
<meta property="article:published_time" content="{a['published']}">
<meta property="article:modified_time" content="{a['modified']}">
<meta property="article:author" content="{e(a['author'])}">
<meta property="article:section" content="{e(a['section'])}">
{tags}
<meta name="twitter:card" content="summary_large_image">
<link rel="stylesheet" href="/static/wire.css">
</head>
<body>
<div class="wire-top"><a href="/">Persia Wire</a> <nav><a href="/world">World</a> <a href="/middle-east">Middle East</a> <a href="/asia">Asia</a> <a href="/markets">Markets</a> <a href="/opinion">Opinion</a></nav></div>
<div class="container">
<div class="story">
<h1>{e(a['title'])}</h1>
<div class="story-body">
{paras}
</div>
<p class="story-footer">Reporting by Persia Wire staff; editing by the world desk.</p>
</div>
<div class="editors-picks"><h3>Editor's picks</h3><ul>{picks}</ul></div>
</div>
<div class="wire-bottom">Persia Wire is an independent news service. <a href="/about">About</a> · <a href="/terms">Terms</a></div>
<script src="/static/wire.js" defer></script>
</body>
</html>
"""


# ---------------------------------------------------------------- windows-1256 (layouts E, F)
def to_arabic_letters(text: str) -> str:
    return text.replace("ی", "ي").replace("ک", "ك")


def cp1256_page(a: dict) -> bytes:
    if a["declare"] == "meta-charset":
        decl = '<meta charset="windows-1256">'
    elif a["declare"] == "http-equiv":
        decl = '<meta http-equiv="Content-Type" content="text/html; charset=windows-1256">'
    else:
        decl = ""
    url = f"http://{a['host']}{a['path']}"
    paras = "\n".join(f"<p>{e(p)}</p>" for p in a["body"])
    if a["host"].startswith("www.akhbar"):
        html = f"""<html dir="rtl">
<head>
{decl}
<title>{e(a['site_name'])} - {e(a['title'])}</title>
<link rel="canonical" href="{url}">
<link href="/css/akhbar.css" rel="stylesheet" type="text/css">
<script language="javascript" src="/js/menu.js"></script>
</head>
<body>
<div id="header"><img src="/img/logo.gif" alt="{e(a['site_name'])}">
<div id="menu"><a href="/">صفحه اصلي</a> | <a href="/news/politics">سياسي</a> | <a href="/news/economy">اقتصادي</a> | <a href="/news/society">اجتماعي</a> | <a href="/news/world">بين الملل</a> | <a href="/news/sport">ورزشي</a> | <a href="/archive">آرشيو</a></div>
</div>
<div id="content">
<div class="newsTitle"><h2>{e(a['title'])}</h2></div>
<div class="newsDate">{e(a['date_line'])}</div>
<div class="newsAuthor">خبرنگار: {e(a['author'])}</div>
<div class="newsText">
{paras}
</div>
<div class="newsTools"><a href="javascript:print()">نسخه چاپي</a> | <a href="/send">ارسال به دوستان</a></div>
<div class="related"><b>اخبار مرتبط:</b><ul><li><a href="/news/1">نرخ ارز در بازار امروز</a> (1403/11/19)</li><li><a href="/news/2">نشست كميسيون مشترك</a> (1403/11/12)</li></ul></div>
</div>
<div id="footer">كليه حقوق اين سايت متعلق به {e(a['site_name'])} است. استفاده از مطالب با ذكر منبع بلامانع است.</div>
</body>
</html>
"""
    else:
        # old table layout, no charset declared anywhere
        html = f"""<html>
<head>
<title>{e(a['title'])}</title>
<style>body{{font-family:Tahoma;font-size:9pt}} td{{direction:rtl}}</style>
</head>
<body bgcolor="#ffffff">
<table width="760" border="0" align="center" cellpadding="0" cellspacing="0">
<tr><td colspan="2"><img src="/images/banner.jpg" width="760" height="90" alt="{e(a['site_name'])}"></td></tr>
<tr><td width="160" valign="top" class="menu">
<a href="/">صفحه نخست</a><br><a href="/archive/shahr">شهري</a><br><a href="/archive/eghtesad">اقتصادي</a><br><a href="/archive/siasi">سياسي</a><br><a href="/archive/varzesh">ورزشي</a><br><a href="/about">درباره ما</a>
</td>
<td width="600" valign="top">
<table width="100%"><tr><td class="date">{e(a['date_line'])}</td></tr>
<tr><td class="titr"><font size="4"><b>{e(a['title'])}</b></font></td></tr>
<tr><td class="author">گزارش از: {e(a['author'])}</td></tr>
<tr><td class="matn">
{paras}
</td></tr></table>
</td></tr>
<tr><td colspan="2" align="center" class="footer">{e(a['site_name'])} - نشاني: تهران، خيابان وليعصر - تلفن 88001234</td></tr>
</table>
</body>
</html>
"""
    return to_arabic_letters(html).encode("cp1256")


# ---------------------------------------------------------------- Didban (layout G, BBC Persian-like)
def didban_page(a: dict, nid: int) -> str:
    url = f"https://www.didban.example/persian/{a['slug']}-{nid}"
    paras = "\n".join(f'<p dir="rtl">{e(p)}</p>' for p in a["body"])
    author = ""
    if a["author"]:
        author = (f'<div class="byline"><span class="byline-name">{e(a["author"])}</span>'
                  f'<span class="byline-role">{e(a["author_role"])}</span></div>')
    most = "".join(f'<li><a href="/persian/{nid - 11 * i}">{e(t)}</a><time>{e(d)}</time></li>' for i, (t, d) in enumerate(a["most_read"], 1))
    css = filler_css("dbn", 300)
    js = filler_js("dbn-runtime", 150)
    return f"""<!DOCTYPE html>
<html lang="fa" dir="rtl">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{e(a['title'])} - دیدبان فارسی</title>
<meta name="description" content="{e(a['summary'])}">
<meta property="og:site_name" content="دیدبان فارسی">
<link rel="canonical" href="{url}">
<style>{css}</style>
</head>
<body>
<header role="banner"><a class="brand" href="/persian">دیدبان فارسی</a>
<nav><ul><li><a href="/persian">خانه</a></li><li><a href="/persian/iran">ایران</a></li><li><a href="/persian/world">جهان</a></li><li><a href="/persian/economy">اقتصاد</a></li><li><a href="/persian/science">دانش</a></li><li><a href="/persian/sport">ورزش</a></li><li><a href="/persian/video">ویدیو</a></li><li><a href="/persian/most-read">پربیننده‌ها</a></li></ul></nav>
</header>
<main role="main">
<article>
<header><h1 id="content">{e(a['title'])}</h1>
{author}
<time datetime="{a['datetime']}">{e(a['date_text'])}</time>
</header>
<p class="summary"><b>{e(a['summary'])}</b></p>
<figure><img src="/images/{nid}.jpg" alt=""><figcaption>منبع تصویر: Getty Images</figcaption></figure>
{paras}
<section class="topics"><h2>موضوعات مرتبط</h2><ul><li><a href="/persian/topics/iran">ایران</a></li><li><a href="/persian/topics/economy">اقتصاد</a></li></ul></section>
</article>
<section class="most-read" aria-labelledby="most-read"><h2 id="most-read">پربیننده‌ترین‌ها</h2><ol>{most}</ol></section>
</main>
<footer role="contentinfo"><p>© ۲۰۲۵ دیدبان. دیدبان مسئول محتوای سایت‌های دیگر نیست. <a href="/persian/institutional">درباره ما</a> <a href="/persian/privacy">حریم خصوصی</a></p></footer>
<script>window.__DIDBAN__={{"articleId":"{nid}","lang":"fa","pageType":"STY"}};</script>
<script>{js}</script>
</body>
</html>
"""


# ---------------------------------------------------------------- Sedaye Afghan (layout H, VOA Dari-like)
def sedaye_page(a: dict) -> str:
    url = f"https://www.sedayeafghan.example/a/{a['slug']}/{a['article_id']}.html"
    paras = "\n".join(f"<p>{e(p)}</p>" for p in a["body"])
    head = f"""<!DOCTYPE html>
<html lang="prs" dir="rtl">
<head>
<meta charset="utf-8">
<title>{e(a['title'])}</title>
<meta property="og:site_name" content="صدای افغان">
<meta property="og:url" content="{url}">
<link rel="canonical" href="{url}">
<script>var analyticsData={{"page_type":"article","article_uid":"{a['article_id']}","language":"Dari","platform":"web"}};</script>
</head>
<body>
<div class="hdr"><a href="/" class="logo">صدای افغان</a>
<ul class="menu"><li><a href="/z/2510">افغانستان</a></li><li><a href="/z/2511">جهان</a></li><li><a href="/z/2512">اقتصاد</a></li><li><a href="/z/2513">صحت</a></li><li><a href="/z/2514">ویدیو</a></li><li><a href="/live">پخش زنده</a></li></ul>
</div>
<div class="container"><div class="row">
<div class="col-title"><h1 class="title pg-title">
{e(a['title'])}
</h1>
</div><div class="col-publishing-details"><div class="publishing-details">
<div class="links"><ul><li class="links__item"><a class="links__item-link" href="/author/{a['article_id'][:3]}">{e(a['author'])}</a></li></ul></div>
<div class="published">
<span class="date">
<time pubdate="pubdate" datetime="{a['datetime']}">
{e(a['date_text'])}
</time>
</span>
</div>
</div></div>
<div class="body-container"><div class="wsw">
"""
    if a["truncated"]:
        # the crawl stopped mid-paragraph: no closing tags, no footer
        return head + paras[: -len("</p>")]
    return head + paras + """
</div></div>
<div class="share--box"><a href="https://facebook.com/sharer">فیسبوک</a> <a href="https://x.com/share">ایکس</a> <a href="mailto:">ایمیل</a></div>
<div class="media-block-wrap"><h2>مطالب مرتبط</h2><ul><li><a href="/a/7940001.html">کمبود برق در کابل</a> <span class="date">جدی ۲۸, ۱۴۰۳</span></li></ul></div>
</div></div>
<footer><p>تمام حقوق محفوظ است. صدای افغان</p></footer>
</body>
</html>
"""


# ---------------------------------------------------------------- Khabar (layout I, news agency, zip only)
def khabar_page(a: dict) -> str:
    paras = "\n".join(f"<p>{e(p)}</p>" for p in a["body"])
    return f"""<!DOCTYPE html>
<html lang="fa" dir="rtl">
<head>
<meta charset="utf-8">
<title>{e(a['title'])} - خبرگزاری خبرنگار</title>
<link rel="canonical" href="https://www.khabarnegar.example/fa/news/84231576">
</head>
<body>
<header><a href="/fa">خبرگزاری خبرنگار</a><nav><a href="/fa/politics">سیاسی</a> <a href="/fa/economy">اقتصادی</a> <a href="/fa/world">بین‌الملل</a> <a href="/fa/province">استان‌ها</a></nav></header>
<section class="news">
<div class="item-header">
<span class="item-code">کد خبر: {a['news_id']}</span>
<span class="item-date">{e(a['date_line'])}</span>
<span class="item-service">گروه سیاسی</span>
</div>
<h1 class="item-title">{e(a['title'])}</h1>
<div class="item-body">
{paras}
</div>
<div class="item-footer">انتهای پیام/ ۱۰۴۸</div>
</section>
<footer>کلیه حقوق این سایت متعلق به خبرگزاری خبرنگار است.</footer>
</body>
</html>
"""


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    written: dict[str, bytes] = {}
    for i, a in enumerate(IPIS_EN):
        written[a["file"]] = ipis_page(a, "en", 5201 + i * 13).encode("utf-8")
    for i, a in enumerate(IPIS_FA):
        written[a["file"]] = ipis_page(a, "fa", 5301 + i * 17).encode("utf-8")
    # versions of one article (issue 12): the Persian page may link to the English one
    en_urls = {}
    for i, a in enumerate(IPIS_EN_VERSIONS):
        nid = 5501 + i * 11
        en_urls[a["file"]] = f"https://www.ipis.example/en/analysis/{nid}/{a['slug']}"
        written[a["file"]] = ipis_page(a, "en", nid).encode("utf-8")
    for i, a in enumerate(IPIS_FA_VERSIONS):
        alternate = en_urls.get(a.get("alternate_of", ""))
        written[a["file"]] = ipis_page(a, "fa", 5601 + i * 7, alternate).encode("utf-8")
    for i, a in enumerate(TEHRANDAILY):
        # the 2024 page lies: it declares ISO-8859-1 but its bytes are UTF-8 (curly quotes, dashes)
        charset = "ISO-8859-1" if "2024" in a["file"] else "UTF-8"
        written[a["file"]] = tehrandaily_page(a, 504180 - i * 9173, charset).encode("utf-8")
    for i, a in enumerate(PERSIAWIRE):
        data = persiawire_page(a, 88120 + i * 311).encode("utf-8")
        # one page starts with a UTF-8 byte order mark
        written[a["file"]] = b"\xef\xbb\xbf" + data if "helmand" in a["file"] else data
    for a in CP1256:
        written[a["file"]] = cp1256_page(a)
    for i, a in enumerate(DIDBAN):
        page = didban_page(a, 67112340 - i * 9000)
        # one page saved with Windows line endings
        if "2024" in a["file"]:
            page = page.replace("\n", "\r\n")
        written[a["file"]] = page.encode("utf-8")
    for a in SEDAYE:
        written[a["file"]] = sedaye_page(a).encode("utf-8")
    for name, data in written.items():
        (OUT / name).write_bytes(data)

    junk = OUT / "junk"
    junk.mkdir(exist_ok=True)
    (junk / "empty.html").write_bytes(b"")
    noise = b"".join(hashlib.sha256(str(i).encode()).digest() for i in range(64))
    (junk / "binary.html").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + noise)
    (junk / "truncated.html").write_bytes(
        b'<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        b"<title>Iran and the IAEA: a new inspection"
    )

    dumps = OUT / "dumps"
    dumps.mkdir(exist_ok=True)
    members = [
        (ZIP_EN["file"], ipis_page(ZIP_EN, "en", 5290).encode("utf-8")),
        (ZIP_FA[0]["file"], ipis_page(ZIP_FA[0], "fa", 5390).encode("utf-8")),
        (ZIP_FA[1]["file"], khabar_page(ZIP_FA[1]).encode("utf-8")),
        # the same bytes as a loose page: ingest must store it once
        ("ipis/en/reviving-nuclear-talks.html", written["ipis-en-nuclear-talks.html"]),
        ("Thumbs.db", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + noise[:512]),
    ]
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members:
            info = zipfile.ZipInfo(name, date_time=(2025, 3, 1, 12, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            zf.writestr(info, data)
    (dumps / "ipis-khabar-2025-03.zip").write_bytes(buf.getvalue())
    for name, data in sorted(written.items()):
        print(f"{len(data):7d}  {name}")


if __name__ == "__main__":
    main()
