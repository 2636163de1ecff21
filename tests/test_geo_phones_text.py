import pytest

from crm_data.domain import geo
from crm_data.domain.phones import InvalidPhone, normalize_phone
from crm_data.domain.text import fold


def test_34_provinces_with_regions():
    provs = geo.provinces()
    assert len(provs) == 34
    assert {p.region for p in provs} == set(geo.REGIONS)
    counts = {r: sum(p.region == r for p in provs) for r in geo.REGIONS}
    assert counts == {"north": 15, "central": 11, "south": 8}


def test_old_63_provinces_all_map_to_one_in_force():
    pairs = geo.old_province_names()
    assert len(pairs) == 63
    assert len({old for old, _ in pairs}) == 63
    for old, new in pairs:
        found = geo.find_province(old)
        assert found is not None and found.name == new, old


@pytest.mark.parametrize("text, expected", [
    ("TP HCM", "ho_chi_minh"), ("Sài Gòn", "ho_chi_minh"), ("tp.hcm", "ho_chi_minh"),
    ("HN", "ha_noi"), ("Hà Nội", "ha_noi"), ("ha noi", "ha_noi"), ("Thành phố Hà Nội", "ha_noi"),
    ("Huế", "hue"), ("Thừa Thiên Huế", "hue"), ("Bình Dương", "ho_chi_minh"),
    ("Bà Rịa - Vũng Tàu", "ho_chi_minh"), ("Hà Giang", "tuyen_quang"), ("Tỉnh Nghệ An", "nghe_an"),
    ("Quảng Nam", "da_nang"), ("Kon Tum", "quang_ngai"), ("Bạc Liêu", "ca_mau"),
    ("KIÊN GIANG", "an_giang"), ("dak lak", "dak_lak"), ("Đắk Nông", "lam_dong"),
])
def test_find_province_spellings(text, expected):
    assert geo.find_province(text).codename == expected


@pytest.mark.parametrize("text", ["", "   ", "Mars", "Bangkok", None])
def test_find_province_rejects(text):
    assert geo.find_province(text) is None


@pytest.mark.parametrize("raw", ["0912345678", "+84 912 345 678", "84912345678", "0912.345.678",
                                 "(+84)912345678", "0912-345-678", " 0912 345 678 "])
def test_phone_forms(raw):
    assert normalize_phone(raw).e164 == "+84912345678"


@pytest.mark.parametrize("old, new", [("01662345678", "+84362345678"), ("0120 123 4567", "+84701234567"),
                                      ("01234567890", "+84834567890"), ("0199 123 4567", "+84591234567")])
def test_old_11_digit_mobiles_are_converted(old, new):
    result = normalize_phone(old)
    assert result.e164 == new and result.converted_from_old


@pytest.mark.parametrize("raw", ["0241234567", "012345", "abc", "", "+1 415 555 0100", "09123456789012"])
def test_invalid_phones(raw):
    with pytest.raises(InvalidPhone):
        normalize_phone(raw)


@pytest.mark.parametrize("text, folded", [
    ("Nguyễn Văn Đức", "nguyen van duc"), ("NGUYỄN VĂN ĐỨC", "nguyen van duc"),
    ("đặng thị ánh", "dang thi anh"), ("  Trần   Thị  Hoa ", "tran thi hoa"), ("", ""),
])
def test_fold(text, folded):
    assert fold(text) == folded
