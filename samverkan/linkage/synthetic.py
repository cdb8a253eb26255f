"""Synthetic people met by several agencies, with the errors real records have.

Every person is met by one or more agencies (a source each), at most once
per agency. Each agency writes names its own way (the police copy the
passport's ICAO transliteration, an NGO writes Cyrillic names the English
way, a shelter the German way and drops Baltic diacritics), and a share of
records is corrupted with one to three errors: a typo, given and family name
swapped, the name re-transliterated, day and month swapped, a wrong day or
year, a date estimated to 1 January, or a missing field.

No real person is in here: the names are common ones recombined at random.
"""

from __future__ import annotations

import random
import unicodedata
from dataclasses import dataclass, field
from datetime import date, timedelta
from itertools import combinations

from samverkan.linkage.normalise import CYRILLIC_ICAO

# Per citizenship: female given names, male given names, family names
# (female form, male form where they differ).
NAMES: dict[str, tuple[list[str], list[str], list[tuple[str, str]]]] = {
    "UA": (
        ["Олена", "Оксана", "Наталія", "Ірина", "Юлія", "Тетяна", "Анастасія", "Марія"],
        ["Андрій", "Олександр", "Юрій", "Сергій", "Дмитро", "Микола", "Віталій"],
        [("Шевченко", "Шевченко"), ("Коваленко", "Коваленко"), ("Бондаренко", "Бондаренко"),
         ("Ткаченко", "Ткаченко"), ("Кравчук", "Кравчук"), ("Мельник", "Мельник"),
         ("Олійник", "Олійник"), ("Захарченко", "Захарченко"), ("Поліщук", "Поліщук")],
    ),
    "RU": (
        ["Екатерина", "Ольга", "Светлана", "Юлия", "Ксения", "Наталья", "Дарья"],
        ["Алексей", "Юрий", "Михаил", "Евгений", "Иван", "Фёдор", "Григорий"],
        [("Иванова", "Иванов"), ("Смирнова", "Смирнов"), ("Кузнецова", "Кузнецов"),
         ("Жукова", "Жуков"), ("Щербакова", "Щербаков"), ("Хохлова", "Хохлов"),
         ("Соловьёва", "Соловьёв"), ("Чернышёва", "Чернышёв")],
    ),
    "BY": (
        ["Алеся", "Вольга", "Ганна", "Яўгенія", "Святлана"],
        ["Аляксандр", "Уладзімір", "Сяргей", "Янка", "Андрэй"],
        [("Навумчык", "Навумчык"), ("Шушкевіч", "Шушкевіч"), ("Кавалёва", "Кавалёў"),
         ("Жукоўская", "Жукоўскі"), ("Лукашэвіч", "Лукашэвіч")],
    ),
    "LV": (
        ["Līga", "Ilze", "Inese", "Kristīne", "Anna", "Zane", "Dace", "Ieva"],
        ["Jānis", "Andris", "Mārtiņš", "Edgars", "Kārlis", "Juris", "Raimonds"],
        [("Bērziņa", "Bērziņš"), ("Kalniņa", "Kalniņš"), ("Ozola", "Ozols"),
         ("Jansone", "Jansons"), ("Krūmiņa", "Krūmiņš"), ("Liepiņa", "Liepiņš"),
         ("Vītola", "Vītols"), ("Grīnberga", "Grīnbergs")],
    ),
    "LT": (
        ["Rūta", "Jurgita", "Giedrė", "Aušra", "Eglė", "Rasa", "Vilija"],
        ["Šarūnas", "Mindaugas", "Tomas", "Žydrūnas", "Darius", "Gintaras"],
        [("Kazlauskienė", "Kazlauskas"), ("Jankauskaitė", "Jankauskas"),
         ("Petrauskienė", "Petrauskas"), ("Žukauskaitė", "Žukauskas"),
         ("Butkienė", "Butkus"), ("Šimkutė", "Šimkus"), ("Paulauskienė", "Paulauskas")],
    ),
    "PL": (
        ["Małgorzata", "Agnieszka", "Katarzyna", "Joanna", "Żaneta", "Beata"],
        ["Krzysztof", "Łukasz", "Grzegorz", "Paweł", "Wojciech", "Michał"],
        [("Wiśniewska", "Wiśniewski"), ("Wójcik", "Wójcik"), ("Kowalczyk", "Kowalczyk"),
         ("Szymańska", "Szymański"), ("Woźniak", "Woźniak"), ("Dąbrowska", "Dąbrowski"),
         ("Zielińska", "Zieliński")],
    ),
    "RO": (
        ["Ioana", "Andreea", "Elena", "Mihaela", "Florentina", "Roxana"],
        ["Ionuț", "Mihai", "Ștefan", "Constantin", "Gheorghe", "Florin"],
        [("Popescu", "Popescu"), ("Ionescu", "Ionescu"), ("Dumitrescu", "Dumitrescu"),
         ("Stănescu", "Stănescu"), ("Constantinescu", "Constantinescu"), ("Munteanu", "Munteanu"),
         ("Rădulescu", "Rădulescu")],
    ),
    "BG": (
        ["Мария", "Иванка", "Десислава", "Цветелина", "Гергана"],
        ["Георги", "Димитър", "Христо", "Стоян", "Живко"],
        [("Петрова", "Петров"), ("Георгиева", "Георгиев"), ("Димитрова", "Димитров"),
         ("Христова", "Христов"), ("Стоянова", "Стоянов"), ("Тодорова", "Тодоров")],
    ),
    "NG": (
        ["Blessing", "Joy", "Precious", "Favour", "Chioma", "Ngozi", "Esther", "Gift"],
        ["Emeka", "Chinedu", "Oluwaseun", "Ibrahim", "Tunde", "Samuel"],
        [("Okafor", "Okafor"), ("Adeyemi", "Adeyemi"), ("Eze", "Eze"), ("Okonkwo", "Okonkwo"),
         ("Balogun", "Balogun"), ("Nwosu", "Nwosu"), ("Ibekwe", "Ibekwe"), ("Obi", "Obi")],
    ),
    "VN": (
        ["Thị Lan", "Thị Hương", "Ngọc Anh", "Thu Trang", "Thị Mai", "Phương Linh"],
        ["Văn Minh", "Quang Huy", "Đức Anh", "Văn Hùng", "Tuấn Anh"],
        [("Nguyễn", "Nguyễn"), ("Trần", "Trần"), ("Lê", "Lê"), ("Phạm", "Phạm"),
         ("Hoàng", "Hoàng"), ("Vũ", "Vũ"), ("Đặng", "Đặng")],
    ),
    "SE": (
        ["Åsa", "Märta", "Linnéa", "Sofia", "Ebba", "Kerstin", "Ingrid"],
        ["Björn", "Göran", "Mattias", "Anders", "Örjan", "Erik"],
        [("Andersson", "Andersson"), ("Öberg", "Öberg"), ("Sjögren", "Sjögren"),
         ("Lindqvist", "Lindqvist"), ("Åkesson", "Åkesson"), ("Hägglund", "Hägglund")],
    ),
    "EE": (
        ["Kadri", "Triin", "Mari-Liis", "Kätlin", "Piret"],
        ["Jüri", "Toomas", "Märt", "Priit", "Rein"],
        [("Tamm", "Tamm"), ("Saar", "Saar"), ("Sepp", "Sepp"), ("Mägi", "Mägi"),
         ("Kask", "Kask"), ("Põder", "Põder")],
    ),
}  # fmt: skip
# Family names are also built from stems and the country's endings (female,
# male), so that namesakes are about as rare as in a real caseload.
FAMILY_PARTS: dict[str, tuple[list[str], list[tuple[str, str]]]] = {
    "UA": (["Петр", "Карп", "Гнат", "Сидор", "Левч", "Марч", "Горді", "Тимош", "Кулин", "Бойч"],
           [("енко", "енко"), ("ук", "ук"), ("чук", "чук"), ("ишин", "ишин")]),
    "RU": (["Мороз", "Волк", "Лебед", "Козл", "Павл", "Семён", "Голуб", "Виноград", "Зайц"],
           [("ова", "ов"), ("ина", "ин"), ("ская", "ский")]),
    "BY": (["Кастус", "Міхал", "Грыц", "Казлоў", "Язэп"], [("евіч", "евіч"), ("ёнак", "ёнак")]),
    "LV": (["Kalv", "Bērz", "Zariņ", "Sproģ", "Lāc", "Rozentāl", "Dzen", "Pētersoh"],
           [("e", "s"), ("a", "s"), ("iņa", "iņš")]),
    "LT": (["Vaitk", "Jonait", "Stankev", "Rimk", "Mazur", "Urbon", "Balčiūn", "Navick"],
           [("ienė", "us"), ("aitė", "as"), ("ytė", "is")]),
    "PL": (["Kamiń", "Lewandow", "Jankow", "Mazurk", "Krawczyń", "Pietrzak", "Sikor"],
           [("ska", "ski"), ("owa", "ow")]),
    "RO": (["Vasil", "Marin", "Tudor", "Stoic", "Nistor", "Ene", "Preda", "Dobr"],
           [("escu", "escu"), ("eanu", "eanu"), ("oiu", "oiu")]),
    "BG": (["Иван", "Николай", "Ангел", "Костадин", "Йордан", "Василев"],
           [("ова", "ов"), ("ева", "ев")]),
    "NG": (["Ade", "Olu", "Chukwu", "Nwa", "Oke", "Ola", "Eme"],
           [("bayo", "bayo"), ("mide", "mide"), ("emeka", "emeka"), ("nna", "nna")]),
    "VN": (["Bùi", "Đỗ", "Hồ", "Ngô", "Dương", "Lý", "Võ", "Đinh"], [("", "")]),
    "SE": (["Berg", "Lind", "Ek", "Sand", "Nord", "Ström", "Holm", "Dahl"],
           [("gren", "gren"), ("qvist", "qvist"), ("man", "man"), ("berg", "berg")]),
    "EE": (["Ilves", "Kuusk", "Lepik", "Rebane", "Oja", "Pärn"], [("", ""), ("son", "son")]),
}  # fmt: skip
CITIZENSHIP_WEIGHTS = {
    "UA": 14, "RU": 8, "BY": 4, "LV": 8, "LT": 8, "PL": 7, "RO": 12, "BG": 8,
    "NG": 12, "VN": 8, "SE": 6, "EE": 5,
}  # fmt: skip

# How agencies write Cyrillic in Latin letters; ICAO 9303 is what passports use.
_ENGLISH = {"ж": "zh", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "shch", "ю": "yu",
            "я": "ya", "й": "y", "е": "e", "ё": "yo", "ы": "y", "ъ": "", "ь": "", "і": "i",
            "ї": "yi", "є": "ye", "ў": "w", "э": "e", "ґ": "g"}  # fmt: skip
_GERMAN = {"ж": "sch", "х": "ch", "ц": "z", "ч": "tsch", "ш": "sch", "щ": "schtsch",
           "ю": "ju", "я": "ja", "й": "j", "в": "w", "з": "s", "е": "e", "ё": "jo", "ы": "y",
           "ъ": "", "ь": "", "і": "i", "ї": "ji", "є": "je", "ў": "u", "э": "e", "ґ": "g",
           "с": "ss"}  # fmt: skip
_FRENCH = {"ж": "j", "х": "kh", "ц": "ts", "ч": "tch", "ш": "ch", "щ": "chtch", "ю": "iou",
           "я": "ia", "й": "i", "у": "ou", "е": "e", "ё": "io", "ы": "y", "ъ": "", "ь": "",
           "і": "i", "ї": "ii", "є": "ie", "ў": "ou", "э": "e", "ґ": "g"}  # fmt: skip
_BASIC = dict(zip("абвгдзиклмнопрстуф", "abvgdziklmnoprstuf", strict=True))


def _transliterate(name: str, system: dict[str, str]) -> str:
    out = []
    for character in name:
        lower = character.lower()
        latin = system.get(lower, _BASIC.get(lower))
        if latin is None:
            out.append(character)
            continue
        out.append(latin.capitalize() if character.isupper() else latin)
    return "".join(out)


def _strip_diacritics(name: str) -> str:
    decomposed = unicodedata.normalize("NFKD", name)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).replace("ł", "l")


@dataclass(frozen=True)
class Agency:
    """A source and its way of writing names."""

    name: str
    kind: str
    share: float
    writes: str  # "original", "icao", "english", "german", "french"
    keeps_diacritics: bool = True


AGENCIES = (
    Agency("police", "police", 0.6, "icao", keeps_diacritics=True),
    Agency("ngo", "ngo", 0.55, "english", keeps_diacritics=False),
    Agency("shelter", "shelter", 0.35, "original", keeps_diacritics=True),
)


@dataclass
class Person:
    number: int
    given_names: str
    family_name: str
    date_of_birth: date
    sex: str
    citizenship: str


@dataclass
class Population:
    people: list[Person]
    records: dict[str, list[dict]] = field(default_factory=dict)
    truth: dict[str, list[int]] = field(default_factory=dict)
    corrupted: dict[str, list[bool]] = field(default_factory=dict)

    def true_pairs(self) -> set[tuple[tuple[str, int], tuple[str, int]]]:
        """Pairs of records (source, index) of the same person in different sources."""
        by_person: dict[int, list[tuple[str, int]]] = {}
        for source, people in self.truth.items():
            for index, person in enumerate(people):
                by_person.setdefault(person, []).append((source, index))
        return {
            tuple(sorted(pair))
            for records in by_person.values()
            for pair in combinations(records, 2)
        }


def _written(text: str, agency: Agency, rng: random.Random) -> str:
    cyrillic = any("\u0400" <= character <= "\u04ff" for character in text)
    if cyrillic and agency.writes != "original":
        system = {"icao": CYRILLIC_ICAO, "english": _ENGLISH, "german": _GERMAN, "french": _FRENCH}
        text = _transliterate(text, system[agency.writes])
    if not agency.keeps_diacritics:
        text = _strip_diacritics(text)
    return text


def _typo(text: str, rng: random.Random) -> str:
    if len(text) < 3:
        return text
    position = rng.randrange(1, len(text) - 1)
    operation = rng.choice(("delete", "insert", "substitute", "transpose"))
    letter = rng.choice("aeiounrstlkm")
    if operation == "delete":
        return text[:position] + text[position + 1 :]
    if operation == "insert":
        return text[:position] + letter + text[position:]
    if operation == "substitute":
        return text[:position] + letter + text[position + 1 :]
    return text[: position - 1] + text[position] + text[position - 1] + text[position + 1 :]


ERRORS = (
    "typo_given", "typo_family", "swap_names", "retransliterate", "swap_day_month",
    "wrong_day", "wrong_year", "estimated_date", "missing_date", "missing_citizenship",
    "missing_sex",
)  # fmt: skip


def _corrupt(record: dict, person: Person, error: str, rng: random.Random) -> None:
    born = record["date_of_birth"]
    if error == "typo_given":
        record["given_names"] = _typo(record["given_names"], rng)
    elif error == "typo_family":
        record["family_name"] = _typo(record["family_name"], rng)
    elif error == "swap_names":
        record["given_names"], record["family_name"] = record["family_name"], record["given_names"]
    elif error == "retransliterate":
        other = Agency("other", "other", 1.0, rng.choice(("german", "french", "english")), False)
        record["given_names"] = _written(person.given_names, other, rng)
        record["family_name"] = _written(person.family_name, other, rng)
    elif error == "swap_day_month" and born and born.day <= 12:
        record["date_of_birth"] = date(born.year, born.day, born.month)
    elif error == "wrong_day" and born:
        record["date_of_birth"] = born + timedelta(days=rng.choice((-1, 1, 10)))
    elif error == "wrong_year" and born:
        year = born.year + rng.choice((-1, 1))
        day = 28 if (born.month, born.day) == (2, 29) else born.day
        record["date_of_birth"] = born.replace(year=year, day=day)
    elif error == "estimated_date" and born:
        record["date_of_birth"] = date(born.year, 1, 1)
    elif error == "missing_date":
        record["date_of_birth"] = None
    elif error == "missing_citizenship":
        record["citizenship"] = ""
    elif error == "missing_sex":
        record["sex"] = ""


def generate_population(
    people: int,
    *,
    corruption: float = 0.1,
    agencies: tuple[Agency, ...] = AGENCIES,
    seed: int = 1,
) -> Population:
    """``people`` persons, each met by one or more agencies; ``corruption`` of records with errors.

    Records are dictionaries with the default schema's fields, plus the
    non-identifying breakdown fields ``exploitation_form`` and ``registered_on``.
    """
    rng = random.Random(seed)  # noqa: S311 (synthetic data, reproducible by seed)
    countries = list(CITIZENSHIP_WEIGHTS)
    weights = [CITIZENSHIP_WEIGHTS[country] for country in countries]
    population = Population(people=[])
    for agency in agencies:
        population.records[agency.name] = []
        population.truth[agency.name] = []
        population.corrupted[agency.name] = []
    for number in range(people):
        citizenship = rng.choices(countries, weights)[0]
        female_names, male_names, family_names = NAMES[citizenship]
        sex = "f" if rng.random() < 0.7 else "m"
        given = rng.choice(female_names if sex == "f" else male_names)
        if rng.random() < 0.15:
            given = f"{given} {rng.choice(female_names if sex == 'f' else male_names)}"
        if rng.random() < 0.5:
            family = rng.choice(family_names)[0 if sex == "f" else 1]
        else:
            stems, endings = FAMILY_PARTS[citizenship]
            family = rng.choice(stems) + rng.choice(endings)[0 if sex == "f" else 1]
        born = date(1960, 1, 1) + timedelta(days=rng.randrange(365 * 48))
        person = Person(number, given, family, born, sex, citizenship)
        population.people.append(person)
        met = [agency for agency in agencies if rng.random() < agency.share]
        if not met:
            met = [rng.choice(agencies)]
        exploitation = rng.choice(("sexual", "labour", "forced_criminality", "forced_begging"))
        for agency in met:
            record = {
                "given_names": _written(given, agency, rng),
                "family_name": _written(family, agency, rng),
                "date_of_birth": born,
                "sex": sex,
                "citizenship": citizenship,
                "exploitation_form": exploitation,
                "registered_on": date(2026, 1, 1) + timedelta(days=rng.randrange(300)),
            }
            corrupted = rng.random() < corruption
            if corrupted:
                count = rng.choices((1, 2, 3), (0.6, 0.3, 0.1))[0]
                for error in rng.sample(ERRORS, count):
                    _corrupt(record, person, error, rng)
            population.records[agency.name].append(record)
            population.truth[agency.name].append(number)
            population.corrupted[agency.name].append(corrupted)
    for agency in agencies:
        order = list(range(len(population.records[agency.name])))
        rng.shuffle(order)
        for key in ("records", "truth", "corrupted"):
            values = getattr(population, key)[agency.name]
            getattr(population, key)[agency.name] = [values[i] for i in order]
    return population


def pairwise_quality(found_pairs: set, population: Population) -> tuple[float, float]:
    """Precision and recall of the found pairs of records against the truth."""
    true = population.true_pairs()
    hits = len(found_pairs & true)
    precision = hits / len(found_pairs) if found_pairs else 1.0
    recall = hits / len(true) if true else 1.0
    return precision, recall


def linked_pairs(result) -> set[tuple[tuple[str, int], tuple[str, int]]]:
    """The pairs of records a ``LinkageResult`` puts into the same person."""
    return {
        tuple(sorted(((a.source, a.index), (b.source, b.index))))
        for cluster in result.clusters
        for a, b in combinations(cluster, 2)
    }
