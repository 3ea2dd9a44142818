from tests.browser.conftest import _axe


def test_probe(page, live_server):
    for url in ["/", "/register", "/login", "/confirm", "/password/forgot"]:
        page.goto(url)
        r = _axe.run(page).response["violations"]
        for v in r:
            print(url, v["id"], v["impact"], v["help"], [n["target"] for n in v["nodes"]][:5])
