"""The 34 provinces in force since 1 July 2025, their regions, and the old 63 names.

vietnam-provinces gives the official names and codes; it has no region and no map from
the old provinces (Resolution 202/2025/QH15), so those are kept here as small tables.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from vietnam_provinces import Province as _LibProvince

from crm_data.domain.text import fold

REGIONS = ("north", "central", "south")


@dataclass(frozen=True)
class Province:
    code: int
    name: str  # official, e.g. "Thành phố Hồ Chí Minh"
    short_name: str  # e.g. "Hồ Chí Minh"
    codename: str
    region: str
    population_m: float  # millions, 2025 estimates; weights the sample data


# codename -> (region, population in millions, old provinces merged into it)
_TABLE: dict[str, tuple[str, float, tuple[str, ...]]] = {
    "ha_noi": ("north", 8.7, ("Hà Nội", "Hà Tây")),
    "cao_bang": ("north", 0.57, ("Cao Bằng",)),
    "tuyen_quang": ("north", 1.87, ("Tuyên Quang", "Hà Giang")),
    "dien_bien": ("north", 0.64, ("Điện Biên",)),
    "lai_chau": ("north", 0.51, ("Lai Châu",)),
    "son_la": ("north", 1.3, ("Sơn La",)),
    "lao_cai": ("north", 1.78, ("Lào Cai", "Yên Bái")),
    "thai_nguyen": ("north", 1.8, ("Thái Nguyên", "Bắc Kạn")),
    "lang_son": ("north", 0.8, ("Lạng Sơn",)),
    "quang_ninh": ("north", 1.43, ("Quảng Ninh",)),
    "bac_ninh": ("north", 3.6, ("Bắc Ninh", "Bắc Giang")),
    "phu_tho": ("north", 4.02, ("Phú Thọ", "Vĩnh Phúc", "Hòa Bình")),
    "hai_phong": ("north", 4.66, ("Hải Phòng", "Hải Dương")),
    "hung_yen": ("north", 3.57, ("Hưng Yên", "Thái Bình")),
    "ninh_binh": ("north", 4.41, ("Ninh Bình", "Hà Nam", "Nam Định")),
    "thanh_hoa": ("central", 4.3, ("Thanh Hóa",)),
    "nghe_an": ("central", 3.47, ("Nghệ An",)),
    "ha_tinh": ("central", 1.62, ("Hà Tĩnh",)),
    "quang_tri": ("central", 1.87, ("Quảng Trị", "Quảng Bình")),
    "hue": ("central", 1.43, ("Thừa Thiên Huế", "Thừa Thiên - Huế")),
    "da_nang": ("central", 3.07, ("Đà Nẵng", "Quảng Nam")),
    "quang_ngai": ("central", 2.16, ("Quảng Ngãi", "Kon Tum")),
    "gia_lai": ("central", 3.58, ("Gia Lai", "Bình Định")),
    "khanh_hoa": ("central", 2.24, ("Khánh Hòa", "Ninh Thuận")),
    "dak_lak": ("central", 3.35, ("Đắk Lắk", "Phú Yên")),
    "lam_dong": ("central", 3.87, ("Lâm Đồng", "Đắk Nông", "Bình Thuận")),
    "ho_chi_minh": ("south", 14.0, ("Hồ Chí Minh", "Bình Dương", "Bà Rịa - Vũng Tàu", "Bà Rịa – Vũng Tàu")),
    "dong_nai": ("south", 4.49, ("Đồng Nai", "Bình Phước")),
    "tay_ninh": ("south", 3.25, ("Tây Ninh", "Long An")),
    "can_tho": ("south", 4.2, ("Cần Thơ", "Sóc Trăng", "Hậu Giang")),
    "vinh_long": ("south", 4.26, ("Vĩnh Long", "Bến Tre", "Trà Vinh")),
    "dong_thap": ("south", 4.37, ("Đồng Tháp", "Tiền Giang")),
    "ca_mau": ("south", 2.6, ("Cà Mau", "Bạc Liêu")),
    "an_giang": ("south", 4.95, ("An Giang", "Kiên Giang")),
}

# Spellings people type for a province, folded (see crm_data.domain.text.fold) before lookup.
_ALIASES: dict[str, str] = {
    "tp hcm": "ho_chi_minh", "tphcm": "ho_chi_minh", "hcm": "ho_chi_minh", "tp.hcm": "ho_chi_minh",
    "sai gon": "ho_chi_minh", "saigon": "ho_chi_minh", "sg": "ho_chi_minh", "ho chi minh city": "ho_chi_minh",
    "hn": "ha_noi", "hanoi": "ha_noi", "ha noi city": "ha_noi",
    "hp": "hai_phong", "dn": "da_nang", "danang": "da_nang", "ct": "can_tho",
    "hue": "hue", "tt hue": "hue", "tt-hue": "hue", "thua thien hue": "hue",
    "brvt": "ho_chi_minh", "vung tau": "ho_chi_minh", "ba ria vung tau": "ho_chi_minh",
    "dak lak": "dak_lak", "daklak": "dak_lak", "dac lac": "dak_lak", "dak nong": "lam_dong",
    "khanh hoa": "khanh_hoa", "nha trang": "khanh_hoa", "da lat": "lam_dong",
}

_PREFIXES = ("thanh pho ", "tp. ", "tp.", "tp ", "tinh ")


@lru_cache(maxsize=1)
def provinces() -> tuple[Province, ...]:
    out = []
    for p in _LibProvince.iter_all():
        region, pop, _old = _TABLE[p.codename]
        short = p.name.removeprefix("Thành phố ").removeprefix("Tỉnh ")
        out.append(Province(int(p.code), p.name, short, p.codename, region, pop))
    return tuple(out)


@lru_cache(maxsize=1)
def by_code() -> dict[int, Province]:
    return {p.code: p for p in provinces()}


def _strip_prefix(folded: str) -> str:
    for pre in _PREFIXES:
        if folded.startswith(pre):
            return folded[len(pre):].strip()
    return folded


def _key(text: str) -> str:
    folded = fold(text).replace("–", " ").replace("-", " ").strip(" .,")
    return _strip_prefix(" ".join(folded.split()))


@lru_cache(maxsize=1)
def _lookup() -> dict[str, Province]:
    by_codename = {p.codename: p for p in provinces()}
    table: dict[str, Province] = {}
    for p in provinces():
        for name in (p.name, p.short_name, p.codename.replace("_", " ")):
            table[_key(name)] = p
        for old in _TABLE[p.codename][2]:
            table[_key(old)] = p
    for alias, codename in _ALIASES.items():
        table[_key(alias)] = by_codename[codename]
    return table


def find_province(text: str | None) -> Province | None:
    """A province from any common spelling, old (pre-2025) or new, with or without
    diacritics; None when it is not a Vietnamese province."""
    if not text or not text.strip():
        return None
    key = _key(text)
    table = _lookup()
    for candidate in (key, fold(text).strip(), key.replace(" ", "")):
        if candidate in table:
            return table[candidate]
    return None


def old_province_names() -> list[tuple[str, str]]:
    """(old province, province in force) pairs: the 63 → 34 merge table."""
    by_codename = {p.codename: p for p in provinces()}
    return [
        (old, by_codename[codename].name)
        for codename, (_r, _p, olds) in _TABLE.items()
        for old in olds
        if old not in ("Hà Tây", "Thừa Thiên - Huế", "Bà Rịa – Vũng Tàu")
    ]


def region_of(code: int | None) -> str | None:
    p = by_code().get(code) if code is not None else None
    return p.region if p else None
