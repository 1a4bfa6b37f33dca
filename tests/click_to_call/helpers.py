from hub.models import CallControl, DriverKind, PbxUser
from hub.services.access import allowed_network_add
from hub.services.api_keys import api_key_create
from tests.factories import make_account


def pbx_with_users(slug: str, *users: str, driver: str = DriverKind.SIMULATOR, region: str = "", **control):
    account, pbx, _ = make_account(slug)
    if region:
        pbx.default_region = region
        pbx.save(update_fields=["default_region"])
    for number in users:
        PbxUser.objects.create(pbx=pbx, number=number, name=f"User {number}")
    CallControl.objects.create(pbx=pbx, driver=driver, **control)
    return account, pbx


def key_for(account, scopes=None, networks=("127.0.0.1",)) -> str:
    for network in networks:
        allowed_network_add(account=account, address=network)
    return api_key_create(account=account, name="crm", scopes=scopes)[1]
