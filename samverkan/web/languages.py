"""The region's languages, each in its own name, so that a reader finds theirs
without reading ours. Which of them a page offers is that page's choice (the
help pages, the screening checklists, the sharing printout)."""

LANGUAGE_NAMES = {
    "en": "English",
    "sv": "Svenska",
    "nb": "Norsk bokmål",
    "da": "Dansk",
    "fi": "Suomi",
    "et": "Eesti",
    "lv": "Latviešu",
    "lt": "Lietuvių",
    "pl": "Polski",
    "ru": "Русский",
    "de": "Deutsch",
    "is": "Íslenska",
}

# Romanian and Ukrainian citizens are among the victims most often met in the
# region, but only the sharing printout is translated into their languages.
PRINTOUT_ONLY_LANGUAGE_NAMES = {
    "ro": "Română",
    "uk": "Українська",
}
