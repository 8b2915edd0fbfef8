"""The population an experiment asks for, from its ``population`` settings."""

from __future__ import annotations

from oasis.datasets.groups import combine_groups
from oasis.datasets.population import Population
from oasis.datasets.reddit import load_reddit_users
from oasis.datasets.settings import PopulationSettings
from oasis.datasets.synthetic import generate_population
from oasis.datasets.twitter import load_topic, load_twitter_users


def build_population(settings: PopulationSettings, seed: int) -> Population:
    """Load or generate the population; the same settings and seed give the same population."""
    if settings.groups and settings.source in ("twitter", "reddit"):
        load = load_twitter_users if settings.source == "twitter" else load_reddit_users
        return combine_groups({name: load(path) for name, path in settings.groups.items()})
    if settings.source == "twitter":
        return load_twitter_users(settings.path)
    if settings.source == "reddit":
        return load_reddit_users(settings.path)
    if settings.source == "topic":
        assert settings.topic is not None  # checked by the settings
        return load_topic(
            settings.topics_path, settings.path, settings.topic, settings.activity_path
        )
    interests = load_reddit_users(settings.interests_path) if settings.interests_path else None
    return generate_population(
        settings.n_users,
        seed,
        load_twitter_users(settings.path),
        follows_per_user=settings.follows_per_user,
        core_size=settings.core_size,
        interest_profiles=interests,
        degree_exponent=settings.degree_exponent,
        reciprocity=settings.reciprocity,
    )
