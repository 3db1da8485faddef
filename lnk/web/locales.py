"""The viewer's locale: the first language of Accept-Language that Babel knows, else en-US. Dates,
times and prices follow it on the server (Babel) and in the browser (``Intl``, from the page's
``data-locale``), so both print the same text.

Each locale gets CLDR data of its own: Babel 2.18 writes resolved aliases back into data that
locales share with their parents, so formatting pt-PT first changes what pt-BR prints afterwards
(stand-alone weekdays become ``quarta`` instead of ``qua.``), and a process's output would depend
on the order of its requests."""

from __future__ import annotations

import copy
from functools import lru_cache

from babel import Locale, UnknownLocaleError, localedata
from flask import g, has_request_context, request

UI_LANGUAGE = "en"


class _OwnDataLocale(Locale):
    """A Locale reading a private copy of its CLDR data (see the module's docstring)."""

    @property
    def _data(self) -> localedata.LocaleDataDict:
        data = self.__dict__.get("_own_data")
        if data is None:
            identifier = "_".join(p for p in (self.language, self.script, self.territory) if p)
            data = localedata.LocaleDataDict(copy.deepcopy(localedata.load(identifier)))
            self.__dict__["_own_data"] = data
        return data


def locale_named(tag: str) -> Locale:
    """The locale of a BCP 47 tag (``en-GB``); UnknownLocaleError/ValueError for others."""
    return _locale(str(Locale.parse(tag.replace("-", "_"))))


@lru_cache(maxsize=32)
def _locale(identifier: str) -> Locale:
    """One Locale per canonical identifier (``en_GB``), whatever the case of the tag it came
    from; bounded, since the tags come from request headers."""
    return _OwnDataLocale.parse(identifier)


DEFAULT_LOCALE = locale_named("en-US")


def viewer_locale() -> Locale:
    """The first language of Accept-Language that Babel knows, else en-US."""
    if not has_request_context():
        return DEFAULT_LOCALE
    if "lnk_locale" not in g:
        g.lnk_locale = DEFAULT_LOCALE
        for tag, _quality in request.accept_languages:
            try:
                g.lnk_locale = locale_named(tag)
                break
            except (UnknownLocaleError, ValueError, TypeError):
                continue
    return g.lnk_locale


def locale_tag(locale: Locale) -> str:
    """BCP 47 (``en-GB``, ``zh-Hant-TW``), as ``Intl`` takes it."""
    return "-".join(p for p in (locale.language, locale.script, locale.territory) if p)


def page_lang() -> str:
    """The ``lang`` of a page: its text is English, in the viewer's variant when the viewer reads
    English (``en-GB``); a German reader's page is still ``en``, or screen readers would speak
    English words with a German voice. The formatting locale is the page's ``data-locale``."""
    locale = viewer_locale()
    return locale_tag(locale) if locale.language == UI_LANGUAGE else UI_LANGUAGE
