"""Patterns shared by the extraction stages: class/id hints, boilerplate lines, bylines, roles."""

from __future__ import annotations

import re

from archive import dates

WS = re.compile(r"\s+")


def with_arabic_letters(pattern: str) -> str:
    """Let the Persian letters of a pattern also match their Arabic forms (ي ى for ی, ك for ک).

    Older Iranian pages (windows-1256 above all) write bylines, comment boxes and disclaimers
    with the Arabic letters. The page itself is not folded: its URLs must stay as written.
    """
    return pattern.replace("\u06cc", "[\u06cc\u064a\u0649]").replace("\u06a9", "[\u06a9\u0643]")


# bidi controls, BOM, soft hyphen and C0/C1 controls never belong in stored text
DIRECTION_MARKS = re.compile(
    "\x1b\\[[0-?]*[ -/]*[@-~]"  # ANSI escape sequences
    "|[\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff\u00ad\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]"
)


NEGATIVE = re.compile(
    with_arabic_letters(
    r"comment|combx|disqus|foot|masthead|menu|\bnav|related|remark|rss|share|sharing|shoutbox"
    r"|sidebar|skyscraper|sponsor|ad-?break|agegate|pagination|pager|popup|promo|newsletter"
    r"|subscri|cookie|consent|gdpr|banner|social|breadcrumb|widget|most-?(?:read|popular|viewed)"
    r"|popular|trending|recommend|outbrain|taboola|signup|login|modal|toolbar|author-?bio"
    r"|caption|credit|print|e-?mail|tools|copyright|\bads?\b|advert|\bad-|-ad\b|dfp|tag-?list"
    r"|tags\b|keywords|byline|dateline|meta-?data|post-?meta|article-?meta|read-?more|more-?news"
    r"|see-?also|next|prev|\bhide|hidden|survey|donate|overlay|inline-?link|video-?player"
    r"|افزودن|نظر|دیدگاه|اشتراک"
    ),
    re.I,
)


STRONG_NEGATIVE = re.compile(
    with_arabic_letters(
    r"comment|disqus|related|share|sharing|social|cookie|consent|newsletter|subscri|outbrain"
    r"|taboola|recommend|most-?(?:read|popular|viewed)|breadcrumb|advert|promo|popup|modal"
    r"|sidebar|see-?also|more-?news|author-?bio|tag-?list"
    ),
    re.I,
)


POSITIVE = re.compile(
    with_arabic_letters(
    r"article|body|content|entry|hentry|h-entry|\bmain|\bpage|post|\btext|blog|story|paragraph"
    r"|prose|rich-?text|field-?item|news-?detail|matn|detail|متن"
    ),
    re.I,
)


DIGITS = "0-9\u06f0-\u06f9\u0660-\u0669"


BOILERPLATE_LINE = re.compile(
    with_arabic_letters(
    r"^(?:"
    rf"(?:views?|visits?|hits|reads|بازدید|تعداد\s*بازدید|مشاهده|دفعات\s*مشاهده)\s*[:：]?\s*[{DIGITS},٬]+"
    rf"|[{DIGITS},٬]+\s*(?:views?|reads|بازدید)"
    r"|(?:share|share this|share on \w+|print|email|e-mail|tweet|facebook|twitter|whatsapp|telegram"
    r"|linkedin|pinterest|reddit|copy link|save|comments?|reply|read more|more|related"
    r"|related articles|related posts|related news|advert|advertisement|sponsored|loading\.*"
    r"|follow us|subscribe|sign up|log ?in|register|back to top|top|home|next|previous"
    r"|اشتراک\s*گذاری|اشتراک‌گذاری|چاپ|ارسال|ارسال نظر|ارسال به دوستان|نظرات|نظرات کاربران"
    r"|متن دیدگاه|دیدگاه|دیدگاه‌ها|مطالب مرتبط|اخبار مرتبط|پربازدیدترین|پربازدیدترین‌ها"
    r"|برچسب‌ها|برچسب ها|کلیدواژه‌ها|تبلیغات|بیشتر بخوانید|بازگشت|لینک کوتاه|کپی شد)"
    r")\s*[:：|]?\s*$"
    ),
    re.I,
)


BOILERPLATE_ANYWHERE = re.compile(
    with_arabic_letters(
    r"opinions? expressed .{0,200}(?:do not|don't|does not) necessarily reflect"
    r"|views expressed .{0,200}(?:do not|don't|does not) necessarily reflect"
    r"|(?:do not|don't) necessarily reflect the (?:views|opinions|position)"
    r"|^(?:reporting|writing|editing|additional reporting) by .{0,160}$"
    r"|نظر نویسنده (?:است|بوده|می‌باشد)|لزوما(?:ً)? (?:بازتاب|منعکس|بیانگر|دیدگاه)"
    r"|مطالب مرتبط|موضوعات مرتبط|اخبار مرتبط|منبع تصویر|انتهای پیام"
    r"|تاکنون نظری ثبت نشده است|نظری ثبت نشده|نظر خود را بنویسید|نظرات حاوی توهین"
    r"|دیدگاه‌های ارسال شده توسط شما|منتشر نخواهد شد|مسئولیت (?:این )?(?:مطلب|مقاله|نوشته)"
    r"|all rights reserved|©\s*(?:19|20)\d\d|copyright\s*(?:©|\(c\))?\s*(?:19|20)\d\d"
    r"|تمامی حقوق|کلیه حقوق|we use cookies|this (?:site|website) uses cookies"
    r"|accept (?:all )?cookies|sign up for (?:our|the) newsletter|subscribe to (?:our|the)"
    r"|newsletter|you may also like|recommended for you|click here to"
    r"|enable javascript|javascript is disabled|your browser does not support"
    ),
    re.I,
)


BYLINE_START = re.compile(
    with_arabic_letters(
    r"^\s*(?:by|written by|words by|reporting by|author[s]?\s*[:：]|reporter\s*[:：]"
    r"|نویسند(?:ه|گان)\s*[:：]?|نوشته(?:\s*ی)?\s*[:：]|به\s*قلم\s*[:：]?|گزارش\s*[:：]"
    r"|نگارش\s*[:：]|تهیه\s*و\s*تنظیم\s*[:：]|گردآوری\s*[:：]|خبرنگار\s*[:：]"
    r"|گزارش\s*از\s*[:：]?|گزارشگر\s*[:：])\s*"
    ),
    re.I,
)


UPDATE_WORDS = re.compile(
    with_arabic_letters(
    r"(?:updated?|modified|last\s+edit|revised|به[\s\u200c]*روز[\s\u200c]*رسانی|ویرایش|اصلاح)"
    r"[^\n]{0,25}$"
    ),
    re.I,
)


PUBLISHED_WORDS = re.compile(with_arabic_letters(r"publish|posted|released|انتشار|منتشر"), re.I)


ROLE_WORDS = re.compile(
    with_arabic_letters(
    r"\b(?:senior|junior|chief|principal|researcher|research|fellow|analyst|editor|editorial"
    r"|correspondent|reporter|journalist|writer|contributor|columnist|professor|prof\.?"
    r"|lecturer|director|head|manager|president|chairman|member|expert|scholar|staff|desk|team"
    r"|department|dept|university|college|institute|center|centre|school|faculty|ministry"
    r"|agency|news|times|press|media|online|service|bureau|associate|assistant|visiting"
    r"|ph\.?d|phd|dr\.?\s*$|student|candidate|specialist|consultant|advisor|adviser|officer"
    r"|international|studies|affairs|political|policy|program|programme|office)\b"
    r"|پژوهشگر|پژوهشکده|پژوهش|کارشناس|استاد|استادیار|دانشیار|دانشجو|دانشگاه|عضو|هیئت|سردبیر"
    r"|دبیر|خبرنگار|تحلیلگر|مدیر|رئیس|معاون|مرکز|موسسه|مؤسسه|گروه|سرویس|خبرگزاری|روزنامه"
    r"|مترجم|ترجمه|دکتر(?:ای)?\s*$|مطالعات|سیاسی|بین[\s\u200c]*المللی|کارشناسی|تحریریه"
    ),
    re.I,
)


HONORIFIC = re.compile(
    with_arabic_letters(
    r"^\s*(?:(?:dr|prof|mr|mrs|ms|sir)\.?|professor|doctor|دکتر|مهندس|پروفسور|آقای|خانم)\s+"
    ),
    re.I,
)


NAME_SPLIT = re.compile(r"\s*(?:,|،|;|؛|\band\b|&|\s+و\s+|\||/|\n)\s*", re.I)


NOT_NAME = re.compile(r"https?:|www\.|@|\.(?:com|org|ir|net)\b|[0-9\u06f0-\u06f9\u0660-\u0669]")


NAME_STOP = {
    "admin",
    "administrator",
    "staff",
    "editor",
    "editors",
    "unknown",
    "anonymous",
    "guest",
    "the",
    "reuters",
    "ap",
    "afp",
    "associated press",
    "irna",
    "isna",
    "mehr",
    "tasnim",
    "fars",
    "ipis",
    "tehran times",
    "bbc",
    "bbc persian",
    "voa",
    "news",
    "desk",
    "نویسنده",
    "ادمین",
    "مدیر سایت",
    "تحریریه",
}


def is_date_line(line: str) -> bool:
    spans = [(start, end) for _, start, end in dates.iter_dates(line)]
    if not spans:
        return False
    covered = sum(end - start for start, end in spans)
    rest = len(re.sub(r"[\s\-–—|:,/.()\d۰-۹٠-٩]", "", line)) - covered
    return rest <= 12


def site_key(value: str) -> str:
    return re.sub(r"[\W_]+", "", value.casefold().removeprefix("www."))

