import json
from pathlib import Path

import pytest

from oasis.datasets import DatasetError, load_counterfactual, load_products, load_reddit_users


def test_reddit_personas(seed_dir: Path) -> None:
    population = load_reddit_users(seed_dir / "reddit/user_data_36.json")
    users = population.users
    assert population.size == 36
    assert population.follows.shape == (0, 2) and population.activity is None
    first = users.iloc[0]
    assert (first["user_name"], first["name"], first["age"], first["mbti"]) == (
        "millerhospitality",
        "James Miller",
        40,
        "ESTJ",
    )
    assert users["interests"].iloc[0] == ["Economics", "Business"]
    assert users["persona"].iloc[0].startswith("James is a seasoned professional")


def test_counterfactual_groups(seed_dir: Path) -> None:
    posts = load_counterfactual(seed_dir / "reddit/counterfactual_36.json")
    assert len(posts) == 220
    assert posts["group"].value_counts().to_dict() == {"down": 83, "control": 70, "up": 67}
    assert posts["comment"].iloc[0] == "The original language of The Next Day is Hebrew"
    assert posts["selftext"].iloc[0].startswith("If you're looking for insight")


def test_products(seed_dir: Path) -> None:
    products = load_products(seed_dir / "emall/product.json")
    assert products["name"].tolist() == ["GlowPod", "Mistify", "ZenCloud"]
    assert products["price"].tolist() == [29.99, 34.99, 24.99]
    assert products["content"].iloc[0].startswith("product name: GlowPod")


def _broken_json(src: Path, tmp_path: Path, edit) -> Path:
    items = json.loads(src.read_text())
    edit(items)
    out = tmp_path / src.name
    out.write_text(json.dumps(items))
    return out


def test_persona_missing_key(seed_dir: Path, tmp_path: Path) -> None:
    path = _broken_json(
        seed_dir / "reddit/user_data_36.json", tmp_path, lambda items: items[5].pop("persona")
    )
    with pytest.raises(DatasetError) as err:
        load_reddit_users(path)
    assert (err.value.row, err.value.column, err.value.message) == (5, "persona", "missing key")
    assert "user_data_36.json, row 5, column 'persona': missing key" in str(err.value)


def test_persona_bad_topics(seed_dir: Path, tmp_path: Path) -> None:
    def edit(items: list) -> None:
        items[2]["interested_topics"] = "Economics"
        items[3]["interested_topics"] = [1]

    path = _broken_json(seed_dir / "reddit/user_data_36.json", tmp_path, edit)
    with pytest.raises(DatasetError, match="expected list") as err:
        load_reddit_users(path)
    assert (err.value.row, err.value.column) == (2, "interested_topics")


def test_persona_age_must_be_an_int(seed_dir: Path, tmp_path: Path) -> None:
    path = _broken_json(
        seed_dir / "reddit/user_data_36.json", tmp_path, lambda items: items[1].update(age="forty")
    )
    with pytest.raises(DatasetError, match="expected int") as err:
        load_reddit_users(path)
    assert (err.value.row, err.value.column) == (1, "age")


def test_counterfactual_unknown_group(seed_dir: Path, tmp_path: Path) -> None:
    path = _broken_json(
        seed_dir / "reddit/counterfactual_36.json",
        tmp_path,
        lambda items: items[9]["RC_1"].update(group="sideways"),
    )
    with pytest.raises(DatasetError, match="sideways") as err:
        load_counterfactual(path)
    assert (err.value.row, err.value.column) == (9, "group")


def test_counterfactual_missing_comment_body(seed_dir: Path, tmp_path: Path) -> None:
    path = _broken_json(
        seed_dir / "reddit/counterfactual_36.json",
        tmp_path,
        lambda items: items[0]["RC_1"].pop("body"),
    )
    with pytest.raises(DatasetError) as err:
        load_counterfactual(path)
    assert (err.value.row, err.value.column) == (0, "body")


def test_product_without_price(seed_dir: Path, tmp_path: Path) -> None:
    def edit(items: list) -> None:
        items[1]["content"] = items[1]["content"].replace("Price:", "Cost:")

    path = _broken_json(seed_dir / "emall/product.json", tmp_path, edit)
    with pytest.raises(DatasetError, match="Price") as err:
        load_products(path)
    assert (err.value.row, err.value.column) == (1, "content")


def test_not_json_and_not_a_list(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("[{")
    with pytest.raises(DatasetError, match="cannot read JSON"):
        load_products(bad)
    bad.write_text('{"content": "x"}')
    with pytest.raises(DatasetError, match="expected a JSON list"):
        load_products(bad)
    with pytest.raises(DatasetError, match="cannot read"):
        load_products(tmp_path / "absent.json")


def test_counterfactual_stray_whitespace_is_stripped_and_listed(seed_dir: Path) -> None:
    frame = load_counterfactual(seed_dir / "reddit" / "counterfactual_36.json")
    assert len(frame) == 220
    repairs = frame.attrs["repairs"]
    assert [(r.row, r.column, r.problem) for r in repairs] == [
        (149, "selftext", "stray whitespace")
    ]
    assert frame["selftext"].iloc[149] == frame["selftext"].iloc[149].strip()
