"""Lambda handler for the 'widget' route group (see serverless.yml)."""

from mangum import Mangum

from shared.http.app import create_app

app = create_app(groups=("widget",))
handler = Mangum(app, lifespan="off")
