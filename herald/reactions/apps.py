from django.apps import AppConfig


class ReactionsConfig(AppConfig):
    name = "herald.reactions"
    label = "reactions"
    verbose_name = "Public reaction"

    def ready(self) -> None:
        from herald.core import keep

        from .models import Comment, Reaction

        # A reaction or comment drops only its article's kept renderings.
        keep.watch(Reaction, Comment, pages=lambda obj: [obj.article_id])
        # Every article view shows the block: it is looked up with the article's
        # other kept parts (one query on a first view), and kept with them.
        keep.durable.register_part("reactions", lambda request: ())
