def test_demo_menu_served(client):
    response = client.get("/api/public/menu", params={"restaurantId": "demo"})
    assert response.status_code == 200
    assert response.json()["restaurant"]["slug"] == "demo"
