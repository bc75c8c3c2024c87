"""The support desk's tools, behind both the ``stjarna tenant …`` / ``cache purge`` commands and the
admin tenant routes: one restaurant at a glance and its creation (``tenant``), its items against a
question ("why is my vegan item missing": ``items``), readiness checks ("the widget does not load on
my site": ``check``) and CDN purges (``cdn``). An application layer over the domain: it may use the
container; the domain packages never import it."""

__all__: list[str] = []
