from django.apps import AppConfig


class ReactionsConfig(AppConfig):
    name = "herald.reactions"
    label = "reactions"
    verbose_name = "Public reaction"

    def ready(self) -> None:
        from django.contrib.auth import get_user_model
        from django.db.models.signals import pre_delete

        from herald.core import keep
        from herald.members import hooks
        from herald.newsroom import hooks as newsroom_hooks

        from . import providers, queries, receivers
        from .models import Comment, Reaction
        from .policy import kept_vary

        # A reaction or comment drops only its article's kept renderings.
        keep.watch(Reaction, Comment, pages=lambda obj: [obj.article_id])
        # Every article view shows the block: it is looked up with the article's
        # other kept parts (one query on a first view), and kept with them.
        keep.durable.register_part("reactions", kept_vary)
        # Fail closed: a spam check that cannot be loaded stops the start.
        providers.get_spam_check()
        # ``members`` cannot import this app: an account about to be deleted
        # reaches its comments through the signal, the account page through hooks.
        pre_delete.connect(
            receivers.member_deleting,
            sender=get_user_model(),
            dispatch_uid="herald-reactions-member-deleting",
        )
        hooks.register("account_sections", receivers.account_section)
        # Comment counts on story lists: one query per list (a comment bumps
        # the generation, so kept listings are made again with the new count).
        newsroom_hooks.register_card_extra(queries.attach_comment_counts)
