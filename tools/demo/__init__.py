"""Demo publication for ``make demo``: invented content, pictures drawn with Pillow.

- ``publication``: the outlet, its sections, authors, newsroom users and tiers.
- ``stories``: the articles, written for the demo, and how their bodies are built.
- ``pictures``: logo, favicon, portraits and story illustrations.
- ``loader``: puts it all into the database (``manage.py load_demo``).
"""
