"""Lambda handler for the 'menu' route group (see serverless.yml)."""

from mangum import Mangum

from shared.http.app import create_app

app = create_app(groups=("menu",))
handler = Mangum(app, lifespan="off")
