"""The picker's data: the communes of a province, for the JavaScript enhancement."""

from flask import jsonify, request

from portal.core.inputs import optional_id
from portal.units import bp, services


@bp.route("/communes.json")
def communes():
    province = services.get_province(optional_id(request.args.get("province")))
    if province is None:
        return jsonify(error="unknown province"), 404
    response = jsonify([{"id": c.id, "name": c.name} for c in services.communes_of(province.id)])
    response.cache_control.public = True
    response.cache_control.max_age = 3600  # the official list changes rarely
    return response
