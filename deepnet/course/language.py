"""The learner's language: which one, and every message in it.

    import deepnet
    deepnet.set_language("ko")      # 한국어; "zh_CN" 简体中文; "en" English (the default)

The language is the one given to set_language(), else the DEEPNET_LANG environment variable, else
(while `deepnet grade` reports on a notebook) the notebook's own language, else English. The
kernel's locale is not used: on Colab it is the server's, not the learner's.

Messages are English templates with named placeholders ("{what} is transposed"), kept in MESSAGES
dicts or marked N_("...") so that `deepnet translate extract` finds them. translate() looks a
template up in deepnet/locale/<code>/LC_MESSAGES/deepnet.mo; a message that has no translation
stays English, never an error.
"""

import contextlib
import contextvars
import functools
import gettext
import os
from pathlib import Path

LOCALE_DIR = Path(__file__).resolve().parents[1] / "locale"
DOMAIN = "deepnet"
LANGUAGES = {"en": "English", "ko": "한국어", "zh_CN": "简体中文"}
# Other ways people write the same languages (DEEPNET_LANG=ko_KR.UTF-8, zh-Hans, ...).
ALIASES = {
    "ko_kr": "ko",
    "kor": "ko",
    "zh": "zh_CN",
    "zh_hans": "zh_CN",
    "zh_cn": "zh_CN",
    "en_us": "en",
    "en_gb": "en",
}

MESSAGES = {
    "unknown_language": "deepnet has no language {code}. Use one of: {known}.",
}

_chosen = None
_notebook_language = contextvars.ContextVar("deepnet_notebook_language", default=None)


def N_(message):
    """Mark a template for `deepnet translate extract` where it is written; translate it where
    it is shown (gettext's convention for strings defined before the language is known)."""
    return message


def normalise(code):
    """'ko', 'ko-KR', 'ko_KR.UTF-8' -> 'ko'; 'zh-CN' -> 'zh_CN'; None for a language we do not have."""
    if not code:
        return None
    key = str(code).split(".")[0].split("@")[0].replace("-", "_").strip().lower()
    if key in ALIASES:
        return ALIASES[key]
    for known in LANGUAGES:
        if key == known.lower():
            return known
    return None


def set_language(code):
    """Show deepnet's messages in this language from now on: "ko", "zh_CN" or "en".
    set_language(None) goes back to DEEPNET_LANG, else English."""
    global _chosen
    if code is None:
        _chosen = None
        return
    found = normalise(code)
    if found is None:
        known = ", ".join('"' + name + '" (' + LANGUAGES[name] + ")" for name in LANGUAGES)
        raise ValueError(fill(MESSAGES["unknown_language"], code=repr(code), known=known))
    _chosen = found


def current_language():
    """The language messages are shown in now (see the module's docstring for the order)."""
    return _chosen or normalise(os.environ.get("DEEPNET_LANG")) or _notebook_language.get() or "en"


@contextlib.contextmanager
def notebook_language(code):
    """While reporting on a notebook: its language counts when neither set_language() nor
    DEEPNET_LANG chose one."""
    token = _notebook_language.set(normalise(code))
    try:
        yield
    finally:
        _notebook_language.reset(token)


@contextlib.contextmanager
def language_for(code):
    """Use this language inside the block, whatever else was chosen (for building notebooks)."""
    global _chosen
    before = _chosen
    _chosen = normalise(code) or "en"
    try:
        yield
    finally:
        _chosen = before


@functools.cache
def _catalog(code):
    return gettext.translation(DOMAIN, LOCALE_DIR, languages=[code], fallback=True)


def forget_catalogs():
    """Read the .mo files again on the next message (after `deepnet translate build`)."""
    _catalog.cache_clear()


def translate(message):
    """The message in the current language; the message itself when it has no translation."""
    code = current_language()
    if code == "en" or not isinstance(message, str) or not message:
        return message
    return _catalog(code).gettext(message)


def fill(template, /, **values):
    """translate(template).format(**values), with every text value translated too: a value may
    be another template given in English (a rule, a case's description)."""
    return translate(template).format(**{name: translate(value) for name, value in values.items()})
