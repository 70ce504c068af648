"""The sample data the simulated site is seeded with: realistic gear, prices and sellers (deterministic)."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import timedelta

from audiowatch import sources

FOR_SALE = "For Sale"
FOR_SALE_TRADE = "For Sale/Trade"
WANT_TO_BUY = "Want To Buy"
LISTING_TYPES: tuple[str, ...] = (FOR_SALE, FOR_SALE_TRADE, WANT_TO_BUY)


@dataclass(frozen=True, slots=True)
class Draft:
    """A listing before it has an id; `thumbnail` is a kind ("relative", "absolute") or None."""

    category: str
    title: str
    price: float | None
    listing_type: str = FOR_SALE
    currency: str | None = "USD"
    condition: str | None = None
    negotiability: str | None = None
    ships_to: str | None = None
    seller: str | None = None
    seller_feedback: int | None = None
    age: timedelta = timedelta(0)
    edited_after: timedelta | None = None
    status: str = "active"
    thumbnail: str | None = "relative"


def seed_drafts(rng: random.Random, per_category: int) -> list[Draft]:
    """Return the showcase drafts plus random ones, topping each leaf category up to `per_category`."""
    drafts = list(SHOWCASE)
    for category in sources.LEAF_SLUGS:
        showcased = sum(1 for draft in SHOWCASE if draft.category == category)
        drafts.extend(random_draft(rng, category) for _ in range(per_category - showcased))
    return drafts


def random_draft(rng: random.Random, category: str) -> Draft:
    name, typical_usd = rng.choice(_GEAR[category])
    listing_type = rng.choices(LISTING_TYPES, weights=(70, 20, 10))[0]
    currency = rng.choices(("USD", "EUR", "GBP"), weights=(80, 12, 8))[0]
    age, edited_after, status = _random_history(rng, listing_type)
    return Draft(
        category=category, title=_random_title(rng, name, listing_type), listing_type=listing_type,
        price=_random_price(rng, typical_usd, currency, listing_type), currency=currency,
        condition=_maybe(rng, 90, _CONDITIONS), negotiability=_maybe(rng, 80, ("Firm", "Or best offer")),
        ships_to=_maybe(rng, 85, _SHIPS_TO[currency]), seller=rng.choice(_SELLERS),
        seller_feedback=rng.randint(0, 400) if rng.random() < 0.85 else None, age=age,
        edited_after=edited_after, status=status,
        thumbnail=rng.choices(("relative", "absolute", None), weights=(80, 8, 12))[0],
    )


def _maybe(rng: random.Random, percent: int, choices: tuple[str, ...]) -> str | None:
    return rng.choice(choices) if rng.random() * 100 < percent else None


def _random_title(rng: random.Random, name: str, listing_type: str) -> str:
    if listing_type == WANT_TO_BUY:
        return f"WTB: {name}"
    suffix = rng.choice(_TITLE_SUFFIXES)
    if listing_type == FOR_SALE_TRADE and not suffix:
        suffix = " (FS/FT)"
    return name + suffix


def _random_price(rng: random.Random, typical_usd: float, currency: str, listing_type: str) -> float | None:
    if listing_type == WANT_TO_BUY and rng.random() < 0.5:
        return None
    converted = typical_usd * _USD_RATE[currency] * rng.uniform(0.7, 1.05)
    # Sellers mostly ask round amounts; a few end in .99 or .50.
    ending = rng.choice((0.0, 0.0, 0.0, 0.0, -0.01, 0.5))
    return float(max(5, round(converted / 5) * 5)) + ending


def _random_history(rng: random.Random, listing_type: str) -> tuple[timedelta, timedelta | None, str]:
    """Return (age, time from posting to last edit or None, status) for a random listing."""
    age = timedelta(seconds=rng.randint(3_600, 60 * 86_400))
    edited_after = None
    if rng.random() < 0.3:
        edited_after = timedelta(seconds=rng.randint(600, int(min(age, timedelta(days=10)).total_seconds())))
    status = "active"
    # Only listings older than two days have had time to end.
    if age > timedelta(days=2) and rng.random() < 0.2:
        ended = ("sold", "closed", "traded") if listing_type == FOR_SALE_TRADE else ("sold", "closed")
        status = rng.choice(ended)
    return age, edited_after, status


_USD_RATE: dict[str, float] = {"USD": 1.0, "EUR": 0.92, "GBP": 0.79}
_CONDITIONS: tuple[str, ...] = (
    "Excellent/Like new", "Excellent/Like new", "Very good", "Good", "Fair", "Brand new",
    "For parts/Not working",
)
_SHIPS_TO: dict[str, tuple[str, ...]] = {
    "USD": ("United States", "CONUS", "North America", "Worldwide"),
    "EUR": ("Europe", "EU only", "Worldwide"),
    "GBP": ("United Kingdom", "Europe", "Worldwide"),
}
_SELLERS: tuple[str, ...] = (
    "jay.doe", "Mr Audio-Phile", "analog_andy", "basshead42", "Tubes-n-Cans", "HiFi.Hoarder", "kingcobra",
    "sorenm", "Zen Listener", "jdoe", "cable-guy", "MidFiMike", "eu.audio.trader", "London Listener",
    "mr.ortho", "Planar-Pete",
)
_TITLE_SUFFIXES: tuple[str, ...] = (
    "", "", "", "", " - mint", " - barely used", " (price drop)", " - complete with box",
    " - local pickup or shipped", " *reduced*",
)

# Per leaf category: (gear name, typical used price in USD).
_GEAR: dict[str, tuple[tuple[str, float], ...]] = {
    "full-size": (
        ("Sennheiser HD 800 S", 1100), ("Sennheiser HD800", 800), ("Sennheiser HD 650", 280),
        ("Sennheiser HD 600", 260), ("Focal Utopia", 2600), ("Focal Stellia", 1900),
        ("Focal Clear MG", 1000), ("Audeze LCD-X", 900), ("Audeze LCD-2 Classic", 550),
        ("Hifiman Arya Stealth", 1050), ("Hifiman Sundara", 230), ("Hifiman Susvara", 4500),
        ("Beyerdynamic DT 1990 Pro", 380), ("ZMF Verite Closed", 2100), ("Meze Empyrean", 1800),
        ("Sony MDR-Z1R", 1100), ("AKG K712 Pro", 220), ("Grado RS1x", 520),
    ),
    "in-ear-monitors": (
        ("Moondrop Blessing 3", 250), ("Moondrop Variations", 400), ("64 Audio U12t", 1600),
        ("64 Audio Nio", 1300), ("Campfire Audio Andromeda 2020", 700), ("Sennheiser IE 600", 520),
        ("Sennheiser IE 900", 950), ("Shure SE846", 600), ("Thieaudio Monarch MKIII", 800),
        ("Empire Ears Odin", 2500), ("Etymotic ER4XR", 230), ("Softears RSV", 500),
    ),
    "desktop": (
        ("Schiit Jotunheim 2", 300), ("Schiit Lyr 3", 380), ("Schiit Asgard 3", 170),
        ("Topping A90 Discrete", 450), ("Bottlehead Crack with Speedball", 320),
        ("Woo Audio WA7 Fireflies", 900), ("Feliks Audio Euforia", 1000), ("Violectric HPA V281", 1400),
        ("Ferrum OOR", 900), ("Burson Soloist 3X", 650), ("Cayin HA-300", 1800),
    ),
    "portable": (
        ("Chord Mojo", 250), ("Chord Mojo 2", 420), ("iFi xDSD Gryphon", 480), ("iFi hip-dac 3", 170),
        ("FiiO Q5s", 220), ("FiiO BTR7", 160), ("Cayin C9", 650), ("Questyle M15", 190),
        ("iBasso DC06 Pro", 120), ("Shanling UA5", 180),
    ),
    "dacs": (
        ("Schiit Bifrost 2/64", 560), ("Schiit Modi+", 90), ("Topping D90", 480), ("Topping D90SE", 420),
        ("Topping E70 Velvet", 300), ("RME ADI-2 DAC FS", 950), ("Denafrips Ares II", 650),
        ("Denafrips Pontus II", 1300), ("Chord Qutest", 1200), ("Holo Audio Spring 3", 2400),
        ("SMSL SU-9", 300), ("Schiit Yggdrasil LIM", 1800), ("Benchmark DAC3 B", 1400),
    ),
    "dac-amps": (
        ("Chord Hugo 2", 1600), ("Chord Hugo TT2", 3800), ("iFi Zen DAC V2", 110),
        ("Topping DX7 Pro+", 500), ("Topping DX5", 300), ("FiiO K9 Pro ESS", 550), ("Schiit Fulla E", 80),
        ("Burson Conductor 3X Reference", 900), ("Mytek Brooklyn DAC+", 1500), ("iFi Neo iDSD", 520),
        ("JDS Labs Element III", 350), ("RME ADI-2 Pro FS R", 1700),
    ),
    "daps": (
        ("FiiO M11 Plus ESS", 450), ("FiiO M11", 300), ("FiiO M15", 750), ("Astell&Kern SP2000T", 1500),
        ("Astell&Kern Kann Max", 800), ("Sony NW-WM1A", 700), ("Sony NW-ZX707", 650),
        ("iBasso DX320", 650), ("Hiby R6 Pro II", 450), ("Shanling M6 Ultra", 550), ("Cayin N6ii", 800),
        ("Lotoo Paw Gold Touch", 1400),
    ),
    "cd-players": (
        ("Marantz CD6007", 350), ("Cambridge Audio CXC v2", 380), ("Denon DCD-1700NE", 750),
        ("Yamaha CD-S3000", 2200), ("Rega Apollo", 450), ("NAD C 538", 250), ("Sony CDP-X7ESD", 600),
        ("Arcam CD73", 200), ("Shanling CD-T1000", 400), ("Audiolab 6000CDT", 420),
    ),
    "cables-speakers-accessories-for-sale-trade": (
        ("Moon Audio Black Dragon cable for HD800", 250), ("Dekoni Elite Velour pads", 40),
        ("ZMF Universe Lambskin pads", 90), ("Hart Audio cable 4.4mm balanced", 150),
        ("Effect Audio Eros II 2-pin cable", 350), ("Plussound Exo Copper cable", 280),
        ("KEF LS50 Meta speakers", 900), ("Elac Debut 2.0 B6.2 speakers", 220),
        ("AudioQuest DragonFly Cobalt", 200), ("Sennheiser HD 650 balanced cable (XLR-4)", 60),
        ("iFi iPurifier3 USB", 90), ("Schiit Eitr", 100),
    ),
    "media-for-sale-trade": (
        ("Pink Floyd - Dark Side of the Moon (MoFi UD1S vinyl)", 180),
        ("Miles Davis - Kind of Blue (Analogue Productions 45 rpm)", 90),
        ("Chesky Records binaural sampler CD", 15), ("Steely Dan - Gaucho (Analogue Productions SACD)", 45),
        ("Fleetwood Mac - Rumours (MoFi UD1S vinyl)", 160),
        ("Daft Punk - Random Access Memories (vinyl)", 40),
        ("Dire Straits - Brothers in Arms (SACD)", 60), ("Lot of 40 jazz CDs", 80),
        ("Mahler Symphony No. 2 - Reference Recordings (HDCD)", 25),
        ("Radiohead - OK Computer OKNOTOK (vinyl)", 35),
    ),
}

# Hand-written listings that guarantee every card variation of reference/headfi-markup.md §7, all
# from the last three days so they sit on the first index pages.
SHOWCASE: tuple[Draft, ...] = (
    Draft(category="full-size", title="Sennheiser HD 800 S", price=1299.0, condition="Excellent/Like new",
           negotiability="Or best offer", ships_to="United States", seller="jay.doe", seller_feedback=57,
           age=timedelta(minutes=35)),
    Draft(category="in-ear-monitors", title="WTB: 64 Audio U12t", price=None, listing_type=WANT_TO_BUY,
           ships_to="Worldwide", seller="Mr Audio-Phile", seller_feedback=12, age=timedelta(hours=3),
           thumbnail=None),
    Draft(category="dacs", title="RME ADI-2 DAC FS", price=899.0, currency="EUR", condition="Very good",
           negotiability="Firm", ships_to="Europe", seller="eu.audio.trader", age=timedelta(hours=5),
           edited_after=timedelta(hours=1, minutes=12), thumbnail="absolute"),
    Draft(category="full-size", title="Focal Stellia - trade for Utopia?", price=1950.0, currency="GBP",
           listing_type=FOR_SALE_TRADE, condition="Excellent/Like new", negotiability="Or best offer",
           ships_to="United Kingdom", seller="London Listener", seller_feedback=88, age=timedelta(hours=20),
           edited_after=timedelta(hours=4)),
    Draft(category="daps", title="Astell&Kern SP2000T - copper", price=1450.0, condition="Very good",
           negotiability="Firm", ships_to="CONUS", seller="HiFi.Hoarder", seller_feedback=0,
           age=timedelta(hours=28), edited_after=timedelta(hours=10), status="sold"),
    Draft(category="portable", title="Chord Mojo 2", price=385.0, condition="Good", seller="sorenm",
           seller_feedback=203, age=timedelta(days=2), status="closed", thumbnail=None),
    Draft(category="desktop", title='Schiit Jotunheim 2 <balanced> "multibit"', price=380.0,
           listing_type=FOR_SALE_TRADE, condition="Very good", negotiability="Or best offer",
           ships_to="North America", seller="Tubes-n-Cans", seller_feedback=31,
           age=timedelta(days=2, hours=12), status="traded"),
    Draft(category="cd-players", title="WTB: Marantz CD6007 or similar", price=300.0,
           listing_type=WANT_TO_BUY, ships_to="CONUS", seller="MidFiMike", seller_feedback=4,
           age=timedelta(days=3), thumbnail=None),
    Draft(category="media-for-sale-trade", title="Miles Davis - Kind of Blue (Analogue Productions 45 rpm)",
           price=65.0, condition="Excellent/Like new", negotiability="Firm", ships_to="Worldwide",
           seller="Zen Listener", age=timedelta(days=1, hours=2), thumbnail="absolute"),
    Draft(category="cables-speakers-accessories-for-sale-trade",
           title="Hart Audio balanced cable for HD 6XX - 4.4mm", price=120.0, listing_type=FOR_SALE_TRADE,
           condition="Brand new", negotiability="Or best offer", ships_to="United States",
           seller="cable-guy", seller_feedback=231, age=timedelta(hours=9),
           edited_after=timedelta(minutes=40)),
    Draft(category="dac-amps", title="Chord Hugo TT2 + M-Scaler bundle", price=6999.0,
           condition="Excellent/Like new", negotiability="Firm", ships_to="Worldwide",
           seller="Planar-Pete", seller_feedback=145, age=timedelta(hours=14)),
)

# The demo's "new listings arrived" step: fixed titles so its rules have something to match.
SAMPLE_ARRIVALS: tuple[Draft, ...] = (
    Draft(category="full-size", title="Sennheiser HD800 S - mint, with case", price=949.0,
           condition="Excellent/Like new", negotiability="Or best offer", ships_to="United States",
           seller="jay.doe", seller_feedback=57),
    Draft(category="full-size", title="Focal Utopia 2022", price=2899.0, listing_type=FOR_SALE_TRADE,
           condition="Excellent/Like new", negotiability="Firm", ships_to="North America",
           seller="Mr Audio-Phile", seller_feedback=12),
    Draft(category="in-ear-monitors", title="Moondrop Blessing 3", price=240.0, condition="Very good",
           negotiability="Firm", ships_to="CONUS", seller="basshead42", seller_feedback=19),
    Draft(category="in-ear-monitors", title="WTB: Moondrop Variations", price=None,
           listing_type=WANT_TO_BUY, ships_to="United States", seller="analog_andy", thumbnail=None),
    Draft(category="dacs", title="Schiit Bifrost 2/64", price=520.0, condition="Good",
           negotiability="Or best offer", ships_to="United States", seller="kingcobra", seller_feedback=74),
    Draft(category="dacs", title="Topping D90SE", price=380.0, condition="Excellent/Like new",
           negotiability="Firm", ships_to="Worldwide", seller="MidFiMike", seller_feedback=4,
           thumbnail="absolute"),
)
