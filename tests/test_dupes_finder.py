"""The duplicate finder: planted pairs found (phone in another form, email in another case,
name without diacritics, in another order, with a typo), near misses not; the sample
data's planted duplicates all found; dismissed pairs stay dismissed; the customer form
warns about a reordered name with the same scoring."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from crm_data.accounts import auth
from crm_data.accounts.scope import Scope
from crm_data.admin import settings
from crm_data.dedupe import finder, merge, reasons
from crm_data.sample import duplicates
from crm_data.storage.models import Customer
from crm_data.writes import DuplicateFound
from crm_data.writes import customer as cw
from tests.conftest import SEED, SEED_CUSTOMERS

PEOPLE = {  # label: form values
    "duc": {"full_name": "Nguyễn Văn Đức", "phone": "0912345678", "province": "Hà Nội"},
    "duc_phone": {"full_name": "Nguyen Van Duc", "phone": "+84 912 345 678"},
    "lan": {"full_name": "Trần Thị Lan", "email": "Lan.Tran@Mail.vn", "phone": "0987000001"},
    "lan_mail": {"full_name": "Lan Trần", "email": "lan.tran@mail.vn", "phone": "0987000002"},
    "hoa": {"full_name": "Lê Thị Hoà", "birth_date": "01/02/1985", "province": "Huế"},
    "hoa_plain": {"full_name": "Le Thi Hoa", "birth_date": "01/02/1985", "province": "Huế"},
    "binh": {"full_name": "Phạm Văn Bình", "birth_date": "03/04/1979", "province": "Cần Thơ"},
    "binh_swapped": {"full_name": "Bình Phạm Văn", "birth_date": "03/04/1979", "province": "Cần Thơ"},
    "khanh": {"full_name": "Võ Minh Khánh", "birth_date": "05/06/1992", "province": "Đà Nẵng",
              "address": "12 Nguyễn Văn Linh, Phường Hải Châu"},
    "khanh_typo": {"full_name": "Võ Minh Khnáh", "birth_date": "05/06/1992", "province": "Đà Nẵng",
                   "address": "12 Nguyen Van Linh, Phuong Hai Chau"},
    # near misses: the same common name in the same province, born another day; a similar
    # name in the same province; another person born the same day in the same province
    "nam1": {"full_name": "Nguyễn Văn Nam", "birth_date": "01/01/1990", "province": "Hà Nội"},
    "nam2": {"full_name": "Nguyễn Văn Nam", "birth_date": "02/02/1991", "province": "Hà Nội"},
    "tuan": {"full_name": "Phạm Minh Tuấn", "province": "Hải Phòng"},
    "tam": {"full_name": "Phạm Minh Tâm", "province": "Hải Phòng"},
    "mai": {"full_name": "Đỗ Thị Mai", "birth_date": "07/07/1977", "province": "Hà Nội"},
}
EXPECTED = {("duc", "duc_phone"), ("lan", "lan_mail"), ("hoa", "hoa_plain"),
            ("binh", "binh_swapped"), ("khanh", "khanh_typo")}


@pytest.fixture
def world(engine):
    admin = Scope(auth.add_user(engine, "admin", "password123", "admin"), "admin", "admin")
    ids = {k: cw.create_customer(engine, admin, v, confirm_duplicate=True).id
           for k, v in PEOPLE.items()}
    return admin, ids


def test_finder_finds_planted_pairs_and_not_near_misses(engine, world):
    admin, ids = world
    label = {v: k for k, v in ids.items()}
    with engine.connect() as conn:
        pairs = finder.find_pairs(conn, settings.get(conn, "dupes.min_score"))
    found = {tuple(sorted((label[p.a_id], label[p.b_id]), key=list(PEOPLE).index)) for p in pairs}
    assert found == EXPECTED
    why = {tuple(sorted((label[p.a_id], label[p.b_id]), key=list(PEOPLE).index)): p.reasons for p in pairs}
    assert "phone" in why[("duc", "duc_phone")] and "email" in why[("lan", "lan_mail")]
    assert "name_same" in why[("binh", "binh_swapped")] and "name_same" in why[("hoa", "hoa_plain")]
    assert any(r.startswith("name_similar") for r in why[("khanh", "khanh_typo")])
    assert reasons.describe(why[("duc", "duc_phone")], "en").startswith("Same phone number; Same name")


def test_stored_pairs_dismissed_stay_dismissed(engine, world):
    admin, ids = world
    assert finder.refresh(engine, admin) == len(EXPECTED)
    with engine.connect() as conn:
        listed = finder.open_pairs(conn)
    assert len(listed) == len(EXPECTED) and listed[0].score >= listed[-1].score
    finder.dismiss(engine, admin, listed[0].id)
    assert finder.refresh(engine, admin) == len(EXPECTED) - 1
    with engine.connect() as conn:
        assert (listed[0].a_id, listed[0].b_id) not in {(r.a_id, r.b_id) for r in finder.open_pairs(conn)}
    staff = Scope(auth.add_user(engine, "staff", "password123", "staff"), "staff", "staff")
    for refused in (finder.refresh, finder.pair_list, merge.recent_list):
        with pytest.raises(PermissionError):
            refused(engine, staff)


def test_form_warns_about_a_reordered_name_born_the_same_day(engine, world):
    admin, ids = world
    with pytest.raises(DuplicateFound) as exc:
        cw.create_customer(engine, admin, {"full_name": "Mai Đỗ Thị", "province": "Hà Nội"})
    assert [m.id for m in exc.value.matches] == [ids["mai"]]  # same words, another order
    with pytest.raises(DuplicateFound) as exc:
        cw.create_customer(engine, admin, {"full_name": "Do Thi Mia", "birth_date": "07/07/1977",
                                           "province": "Hà Nội"})
    assert [(m.id, m.reason) for m in exc.value.matches] == [(ids["mai"], "name")]
    # a common name born another day is no warning beyond the exact-name rule
    cw.create_customer(engine, admin, {"full_name": "Đỗ Văn Mạnh", "birth_date": "07/07/1977"})


def test_sample_planted_duplicates_are_all_found(seeded):
    truth = {tuple(sorted(p[:2])) for p in duplicates.planted(SEED_CUSTOMERS, SEED)}
    assert len(truth) == SEED_CUSTOMERS // 100
    with seeded.connect() as conn:
        found = {(p.a_id, p.b_id) for p in finder.find_pairs(conn, settings.get(conn, "dupes.min_score"))}
    assert truth <= found
    assert len(found & truth) / len(found) >= 0.8  # precision on this sample


def test_cli_finds_lists_merges_and_undoes(engine, db_url, world, capsys):
    from crm_data.cli import main

    admin, ids = world
    db = ["--database-url", db_url, "--lang", "en"]
    assert main(["duplicates", "find", *db]) == 0
    assert capsys.readouterr().out.strip() == f"Found {len(EXPECTED)} likely duplicate pairs."
    assert main(["duplicates", "list", *db]) == 0
    assert "Same phone number" in capsys.readouterr().out
    assert main(["duplicates", "merge", str(ids["duc"]), str(ids["duc_phone"]), *db]) == 2  # no --yes
    assert main(["duplicates", "merge", str(ids["duc"]), str(ids["duc_phone"]), "--yes", *db]) == 0
    merge_id = capsys.readouterr().out.strip().rsplit(" ", 1)[-1].rstrip(")")
    assert main(["duplicates", "undo", merge_id, *db]) == 0
    assert main(["duplicates", "undo", merge_id, *db]) == 2
    assert capsys.readouterr().err.strip().endswith("This merge was already undone.")


def test_import_notes_a_likely_duplicate(engine, world):
    from crm_data.imports.run import import_file

    admin, ids = world
    data = ("Họ và tên,Ngày sinh,Tỉnh/Thành phố\n"
            "Hoa Le Thi,01/02/1985,Huế\n"      # Lê Thị Hoà, in another order, no diacritics
            "Lê Thị Hồng,01/02/1985,Cần Thơ\n").encode()  # born the same day: someone else
    result = import_file(engine, admin, data, "customers", name="khach.csv", dry_run=True)
    similar = [(n, i.values) for n, i in result.notes if i.key == "import.note.similar"]
    with engine.connect() as conn:
        hoa = conn.execute(select(Customer.code).where(Customer.id == ids["hoa"])).scalar()
    assert [(v["code"], v["score"] >= 50) for _n, v in similar] == [(hoa, True)]
    assert result.inserted == 2  # a note, not a refusal
