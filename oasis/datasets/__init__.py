"""Real OASIS seeds and synthetic populations, loaded as columns ready for the platform."""

from oasis.datasets.emall import load_products
from oasis.datasets.errors import DatasetError
from oasis.datasets.population import Population, ScheduledPost
from oasis.datasets.reddit import load_counterfactual, load_reddit_users
from oasis.datasets.synthetic import generate_population
from oasis.datasets.twitter import load_topic, load_topics, load_twitter_users

__all__ = [
    "DatasetError",
    "Population",
    "ScheduledPost",
    "generate_population",
    "load_counterfactual",
    "load_products",
    "load_reddit_users",
    "load_topic",
    "load_topics",
    "load_twitter_users",
]
