"""Names Amplify gives to generated operations, inputs and types, computed in one place.

Amplify's transformer v2 pluralises with the `pluralize` npm package (8.0.0) on the whole type name
(`StoreItem` -> `StoreItems`, `BlogPerson` -> `BlogPeople`, `Equipment` unchanged but `GymEquipment` ->
`GymEquipments`), for list queries and for `@index` query names alike: the CLI's `improvepluralization`
flag no longer changes any v2 name. The English rules below are that package's, as data; the way they
are applied (the last matching rule wins, the replaced text takes the case of the text it replaces) is
how the package behaves.
"""

from __future__ import annotations

import hashlib
import re

_IRREGULAR: dict[str, str] = {
    "i": "we",
    "me": "us",
    "he": "they",
    "she": "they",
    "them": "them",
    "myself": "ourselves",
    "yourself": "yourselves",
    "itself": "themselves",
    "herself": "themselves",
    "himself": "themselves",
    "themself": "themselves",
    "is": "are",
    "was": "were",
    "has": "have",
    "this": "these",
    "that": "those",
    "echo": "echoes",
    "dingo": "dingoes",
    "volcano": "volcanoes",
    "tornado": "tornadoes",
    "torpedo": "torpedoes",
    "genus": "genera",
    "viscus": "viscera",
    "stigma": "stigmata",
    "stoma": "stomata",
    "dogma": "dogmata",
    "lemma": "lemmata",
    "schema": "schemata",
    "anathema": "anathemata",
    "ox": "oxen",
    "axe": "axes",
    "die": "dice",
    "yes": "yeses",
    "foot": "feet",
    "eave": "eaves",
    "goose": "geese",
    "tooth": "teeth",
    "quiz": "quizzes",
    "human": "humans",
    "proof": "proofs",
    "carve": "carves",
    "valve": "valves",
    "looey": "looies",
    "thief": "thieves",
    "groove": "grooves",
    "pickaxe": "pickaxes",
    "passerby": "passersby",
}
_ALREADY_PLURAL = frozenset(_IRREGULAR.values())

_UNCOUNTABLE = frozenset(
    [
        "adulthood",
        "advice",
        "agenda",
        "aid",
        "aircraft",
        "alcohol",
        "ammo",
        "analytics",
        "anime",
        "athletics",
        "audio",
        "bison",
        "blood",
        "bream",
        "buffalo",
        "butter",
        "carp",
        "cash",
        "chassis",
        "chess",
        "clothing",
        "cod",
        "commerce",
        "cooperation",
        "corps",
        "debris",
        "diabetes",
        "digestion",
        "elk",
        "energy",
        "equipment",
        "excretion",
        "expertise",
        "firmware",
        "flounder",
        "fun",
        "gallows",
        "garbage",
        "graffiti",
        "hardware",
        "headquarters",
        "health",
        "herpes",
        "highjinks",
        "homework",
        "housework",
        "information",
        "jeans",
        "justice",
        "kudos",
        "labour",
        "literature",
        "machinery",
        "mackerel",
        "mail",
        "media",
        "mews",
        "moose",
        "music",
        "mud",
        "manga",
        "news",
        "only",
        "personnel",
        "pike",
        "plankton",
        "pliers",
        "police",
        "pollution",
        "premises",
        "rain",
        "research",
        "rice",
        "salmon",
        "scissors",
        "series",
        "sewage",
        "shambles",
        "shrimp",
        "software",
        "species",
        "staff",
        "swine",
        "tennis",
        "traffic",
        "transportation",
        "trout",
        "tuna",
        "wealth",
        "welfare",
        "whiting",
        "wildebeest",
        "wildlife",
        "you",
    ]
)

_RULES: list[tuple[str, str]] = [
    (r"s?$", "s"),
    (r"[^\u0000-\u007F]$", "$0"),
    (r"([^aeiou]ese)$", "$1"),
    (r"(ax|test)is$", "$1es"),
    (r"(alias|[^aou]us|t[lm]as|gas|ris)$", "$1es"),
    (r"(e[mn]u)s?$", "$1s"),
    (r"([^l]ias|[aeiou]las|[ejzr]as|[iu]am)$", "$1"),
    (r"(alumn|syllab|vir|radi|nucle|fung|cact|stimul|termin|bacill|foc|uter|loc|strat)(?:us|i)$", "$1i"),
    (r"(alumn|alg|vertebr)(?:a|ae)$", "$1ae"),
    (r"(seraph|cherub)(?:im)?$", "$1im"),
    (r"(her|at|gr)o$", "$1oes"),
    (
        r"(agend|addend|millenni|dat|extrem|bacteri|desiderat|strat|candelabr|errat|ov|symposi|curricul|automat|quor)"
        r"(?:a|um)$",
        "$1a",
    ),
    (r"(apheli|hyperbat|periheli|asyndet|noumen|phenomen|criteri|organ|prolegomen|hedr|automat)(?:a|on)$", "$1a"),
    (r"sis$", "ses"),
    (r"(?:(kni|wi|li)fe|(ar|l|ea|eo|oa|hoo)f)$", "$1$2ves"),
    (r"([^aeiouy]|qu)y$", "$1ies"),
    (r"([^ch][ieo][ln])ey$", "$1ies"),
    (r"(x|ch|ss|sh|zz)$", "$1es"),
    (r"(matr|cod|mur|sil|vert|ind|append)(?:ix|ex)$", "$1ices"),
    (r"\b((?:tit)?m|l)(?:ice|ouse)$", "$1ice"),
    (r"(pe)(?:rson|ople)$", "$1ople"),
    (r"(child)(?:ren)?$", "$1ren"),
    (r"eaux$", "$0"),
    (r"m[ae]n$", "men"),
    (r"^thou$", "you"),
    # Uncountable endings replace themselves (they are added last, so they are tried first).
    (r"pok[eé]mon$", "$0"),
    (r"[^aeiou]ese$", "$0"),
    (r"deer$", "$0"),
    (r"fish$", "$0"),
    (r"measles$", "$0"),
    (r"o[iu]s$", "$0"),
    (r"pox$", "$0"),
    (r"sheep$", "$0"),
]
_COMPILED = [(re.compile(pattern, re.IGNORECASE), replacement) for pattern, replacement in reversed(_RULES)]
_GROUP_REFERENCE = re.compile(r"\$(\d{1,2})")


def _restore_case(original: str, replacement: str) -> str:
    """The replacement spelt in the case of the text it replaces (all lower, all upper or capitalised)."""
    if original == replacement:
        return replacement
    if original == original.lower():
        return replacement.lower()
    if original == original.upper():
        return replacement.upper()
    if original[:1] == original[:1].upper():
        return replacement[:1].upper() + replacement[1:].lower()
    return replacement.lower()


def _apply(word: str, pattern: re.Pattern[str], replacement: str) -> str:
    match = pattern.search(word)
    assert match is not None
    groups = (match.group(0), *match.groups())
    result = _GROUP_REFERENCE.sub(
        lambda ref: groups[int(ref.group(1))] or "" if int(ref.group(1)) < len(groups) else "", replacement
    )
    cased = _restore_case(word[match.start() - 1] if match.group(0) == "" else match.group(0), result)
    return word[: match.start()] + cased + word[match.end() :]


def plural(type_name: str) -> str:
    """The plural Amplify's transformer v2 uses for a type name (`StoreItem` -> `StoreItems`, `Person` -> `People`)."""
    token = type_name.lower()
    if token in _ALREADY_PLURAL:
        return _restore_case(type_name, token)
    if token in _IRREGULAR:
        return _restore_case(type_name, _IRREGULAR[token])
    if not token or token in _UNCOUNTABLE:
        return type_name
    for pattern, replacement in _COMPILED:
        if pattern.search(type_name):
            return _apply(type_name, pattern, replacement)
    return type_name


def lower_first(name: str) -> str:
    return name[:1].lower() + name[1:]


def upper_first(name: str) -> str:
    return name[:1].upper() + name[1:]


def camel_case(words: list[str]) -> str:
    """Amplify's `toCamelCase`: empty words dropped, the first lower-first, the others upper-first, joined."""
    kept = [w for w in words if w]
    return "".join(lower_first(w) if i == 0 else upper_first(w) for i, w in enumerate(kept))


def list_query_name(model: str) -> str:
    return camel_case(["list", plural(model)])


def subscription_name(prefix: str, model: str) -> str:
    """`onCreate`/`onUpdate`/`onDelete` + the model; names over 50 characters are cut to 45 plus an md5 tag."""
    name = camel_case([prefix, model])
    if len(name) <= 50:
        return name
    return name[:45] + hashlib.md5(name.encode("utf-8")).hexdigest()[:5]


def index_query_name(model: str, fields: list[str]) -> str:
    """The name Amplify derives for an `@index` without `name` or `queryField` (`storeItemsBySkuAndPrice`)."""
    return f"{lower_first(plural(model))}By{'And'.join(upper_first(f) for f in fields)}"
