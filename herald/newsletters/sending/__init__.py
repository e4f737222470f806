"""The sending pipeline of newsletters (see ``herald/newsletters/CONTEXT.md``)."""
