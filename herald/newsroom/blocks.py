"""Body blocks of an article (StreamField)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.documents.blocks import DocumentChooserBlock
from wagtail.embeds.blocks import EmbedBlock
from wagtail.images.blocks import ImageChooserBlock

PARAGRAPH_FEATURES = [
    "bold",
    "italic",
    "link",
    "document-link",
    "superscript",
    "subscript",
    "strikethrough",
    "ol",
    "ul",
]


class HeadingBlock(blocks.StructBlock):
    text = blocks.CharBlock(label=_("Heading"), max_length=200)
    level = blocks.ChoiceBlock(
        choices=[("h2", _("Heading")), ("h3", _("Subheading"))], default="h2"
    )

    class Meta:
        icon = "title"
        template = "newsroom/blocks/heading.html"
        label = _("Heading")


class FigureBlock(blocks.StructBlock):
    image = ImageChooserBlock(label=_("Image"))
    caption = blocks.CharBlock(label=_("Caption"), required=False, max_length=500)
    credit = blocks.CharBlock(
        label=_("Credit"),
        required=False,
        max_length=255,
        help_text=_("Leave empty to use the image's own credit."),
    )
    alt_text = blocks.CharBlock(
        label=_("Alt text override"),
        required=False,
        max_length=255,
        help_text=_("Leave empty to use the image's alt text."),
    )

    class Meta:
        icon = "image"
        template = "newsroom/blocks/figure.html"
        label = _("Image")


class GalleryBlock(blocks.StructBlock):
    title = blocks.CharBlock(label=_("Title"), required=False, max_length=200)
    images = blocks.ListBlock(FigureBlock(), min_num=2, label=_("Images"))

    class Meta:
        icon = "image"
        template = "newsroom/blocks/gallery.html"
        label = _("Gallery")


class QuoteBlock(blocks.StructBlock):
    quote = blocks.TextBlock(label=_("Quote"))
    attribution = blocks.CharBlock(label=_("Attribution"), required=False)
    language = blocks.CharBlock(
        label=_("Language code"),
        required=False,
        max_length=12,
        help_text=_("Only when the quote is in another language, e.g. 'fr'."),
    )

    class Meta:
        icon = "openquote"
        template = "newsroom/blocks/blockquote.html"
        label = _("Block quote")


class PullQuoteBlock(blocks.StructBlock):
    quote = blocks.TextBlock(label=_("Quote"), max_length=400)
    attribution = blocks.CharBlock(label=_("Attribution"), required=False)

    class Meta:
        icon = "openquote"
        template = "newsroom/blocks/pullquote.html"
        label = _("Pull quote")


class EmbedWithFallbackBlock(blocks.StructBlock):
    """An oEmbed embed; when it cannot be fetched, a plain link is shown instead."""

    embed = EmbedBlock(label=_("URL to embed"))
    fallback_title = blocks.CharBlock(
        label=_("Link text if the embed cannot be shown"), required=False
    )
    caption = blocks.CharBlock(label=_("Caption"), required=False)

    class Meta:
        icon = "media"
        template = "newsroom/blocks/embed.html"
        label = _("Embed")


class FactBoxBlock(blocks.StructBlock):
    title = blocks.CharBlock(label=_("Title"), max_length=200)
    body = blocks.RichTextBlock(features=PARAGRAPH_FEATURES, label=_("Facts"))

    class Meta:
        icon = "list-ul"
        template = "newsroom/blocks/factbox.html"
        label = _("Fact box")


class SourceBlock(blocks.StructBlock):
    title = blocks.CharBlock(label=_("Source"), max_length=255)
    url = blocks.URLBlock(label=_("Link"), required=False)
    document = DocumentChooserBlock(label=_("Document"), required=False)
    description = blocks.CharBlock(label=_("Note"), required=False, max_length=500)

    class Meta:
        icon = "link"
        template = "newsroom/blocks/source.html"
        label = _("Source or document")


class PaywallBreakBlock(blocks.StaticBlock):
    class Meta:
        icon = "lock"
        label = _("Paywall break")
        admin_text = _(
            "Readers without access see everything above this line, then an offer."
        )
        template = "newsroom/blocks/paywall_break.html"


class ArticleBodyBlock(blocks.StreamBlock):
    paragraph = blocks.RichTextBlock(
        features=PARAGRAPH_FEATURES, label=_("Paragraph"), icon="pilcrow"
    )
    heading = HeadingBlock()
    image = FigureBlock()
    gallery = GalleryBlock()
    blockquote = QuoteBlock()
    pullquote = PullQuoteBlock()
    embed = EmbedWithFallbackBlock()
    factbox = FactBoxBlock()
    source = SourceBlock()
    paywall = PaywallBreakBlock()

    class Meta:
        block_counts = {"paywall": {"max_num": 1}}
