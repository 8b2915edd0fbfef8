"""Capacity planning for `oasis plan`: what a run needs, from the experiment file."""
