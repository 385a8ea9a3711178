"""authMode=cognito (the "original" configuration): the web page in a private bucket behind
CloudFront with origin access control, its users signing in to a Cognito user pool, the API
authorizing their tokens and allowing the distribution's origin only; authMode=iam and apiKey
have none of it."""

import json

import pytest
from imagegen.handlers.routes import ROUTES

SITE_TYPES = (
    "AWS::CloudFront::Distribution",
    "AWS::CloudFront::OriginAccessControl",
    "AWS::CloudFront::ResponseHeadersPolicy",
    "AWS::Cognito::UserPool",
    "AWS::Cognito::UserPoolDomain",
    "AWS::Cognito::UserPoolClient",
    "AWS::ApiGateway::Authorizer",
    "Custom::CDKBucketDeployment",
)


@pytest.fixture(scope="module")
def site(synthesized):
    return synthesized["original"]


def _only(synth, kind):
    (lid,) = synth.resources(kind)
    return lid, synth.template["Resources"][lid]


def _site_bucket(synth):
    return next(lid for lid in synth.resources("AWS::S3::Bucket") if lid.startswith("SiteBucket"))


def _distribution_origin(synth):
    distribution, _ = _only(synth, "AWS::CloudFront::Distribution")
    return {"Fn::Join": ["", ["https://", {"Fn::GetAtt": [distribution, "DomainName"]}]]}


def test_each_mode_has_the_site_only_with_cognito(synthesized):
    for kind in SITE_TYPES:
        assert len(synthesized["original"].resources(kind)) == 1, kind
        for name in ("current", "api_key"):
            assert synthesized[name].resources(kind) == {}, (name, kind)
    assert len(synthesized["original"].resources("AWS::S3::Bucket")) == 4  # images, its logs, the site, its logs


def test_the_site_bucket_is_private_and_readable_by_the_distribution_only(site):
    bucket = _site_bucket(site)
    props = site.template["Resources"][bucket]["Properties"]
    assert all(props["PublicAccessBlockConfiguration"].values())
    assert "SSEAlgorithm" in json.dumps(props["BucketEncryption"])
    assert props["LoggingConfiguration"]["LogFilePrefix"] == "site-bucket/"
    distribution, resource = _only(site, "AWS::CloudFront::Distribution")
    oac, _ = _only(site, "AWS::CloudFront::OriginAccessControl")
    (origin,) = resource["Properties"]["DistributionConfig"]["Origins"]
    assert origin["DomainName"] == {"Fn::GetAtt": [bucket, "RegionalDomainName"]}
    assert origin["OriginAccessControlId"] == {"Fn::GetAtt": [oac, "Id"]}
    assert origin["S3OriginConfig"] == {"OriginAccessIdentity": ""}  # OAC, no legacy OAI
    (policy,) = [
        p for p in site.resources("AWS::S3::BucketPolicy").values() if p["Properties"]["Bucket"] == {"Ref": bucket}
    ]
    statements = policy["Properties"]["PolicyDocument"]["Statement"]
    (read,) = [s for s in statements if s.get("Principal") == {"Service": "cloudfront.amazonaws.com"}]
    assert read["Action"] == "s3:GetObject" and read["Effect"] == "Allow"
    arn = read["Condition"]["StringEquals"]["AWS:SourceArn"]["Fn::Join"][1]
    assert arn[-2:] == [":distribution/", {"Ref": distribution}]
    assert any(
        s["Effect"] == "Deny" and s["Condition"] == {"Bool": {"aws:SecureTransport": "false"}} for s in statements
    )


def test_the_distribution_serves_index_html_over_https_only_with_security_headers(site):
    config = _only(site, "AWS::CloudFront::Distribution")[1]["Properties"]["DistributionConfig"]
    behavior = config["DefaultCacheBehavior"]
    assert config["DefaultRootObject"] == "index.html"
    assert behavior["ViewerProtocolPolicy"] == "https-only"
    assert behavior["AllowedMethods"] == ["GET", "HEAD"]
    headers_id, headers = _only(site, "AWS::CloudFront::ResponseHeadersPolicy")
    assert behavior["ResponseHeadersPolicyId"] == {"Ref": headers_id}
    security = headers["Properties"]["ResponseHeadersPolicyConfig"]["SecurityHeadersConfig"]
    assert security["StrictTransportSecurity"]["AccessControlMaxAgeSec"] >= 31536000
    assert security["FrameOptions"]["FrameOption"] == "DENY"
    csp = security["ContentSecurityPolicy"]["ContentSecurityPolicy"]
    assert "script-src 'self';" in csp and "frame-ancestors 'none'" in csp and "https://*.amazoncognito.com" in csp
    logs = next(lid for lid in site.resources("AWS::S3::Bucket") if lid.startswith("SiteLogs"))
    assert config["Logging"] == {"Bucket": {"Fn::GetAtt": [logs, "RegionalDomainName"]}, "Prefix": "distribution/"}


def test_cloudfronts_account_wide_names_differ_per_region(site):
    """The same stack deployed to two regions (the two model sets' defaults) must not collide."""
    oac = _only(site, "AWS::CloudFront::OriginAccessControl")[1]["Properties"]["OriginAccessControlConfig"]
    headers = _only(site, "AWS::CloudFront::ResponseHeadersPolicy")[1]["Properties"]["ResponseHeadersPolicyConfig"]
    for name in (oac["Name"], headers["Name"]):
        assert {"Ref": "AWS::Region"} in name["Fn::Join"][1]


def test_only_an_administrator_creates_users_with_strong_passwords_and_optional_mfa(site):
    props = _only(site, "AWS::Cognito::UserPool")[1]["Properties"]
    assert props["AdminCreateUserConfig"]["AllowAdminCreateUserOnly"] is True
    policy = props["Policies"]["PasswordPolicy"]
    assert policy["MinimumLength"] >= 12
    assert all(policy[k] for k in ("RequireLowercase", "RequireUppercase", "RequireNumbers", "RequireSymbols"))
    assert (props["MfaConfiguration"], props["EnabledMfas"]) == ("OPTIONAL", ["SOFTWARE_TOKEN_MFA"])
    domain = _only(site, "AWS::Cognito::UserPoolDomain")[1]["Properties"]["Domain"]
    assert domain == {"Fn::Join": ["", ["bedrockimagegeneval-", {"Ref": "AWS::AccountId"}]]}


def test_the_pages_client_uses_the_code_flow_without_a_secret_back_to_the_distribution(site):
    props = _only(site, "AWS::Cognito::UserPoolClient")[1]["Properties"]
    assert props["GenerateSecret"] is False  # a public client: PKCE stands in for the secret
    assert (props["AllowedOAuthFlows"], props["AllowedOAuthFlowsUserPoolClient"]) == (["code"], True)
    assert "openid" in props["AllowedOAuthScopes"]
    page = {"Fn::Join": ["", [*_distribution_origin(site)["Fn::Join"][1], "/"]]}
    assert props["CallbackURLs"] == [page] and props["LogoutURLs"] == [page]
    assert props["SupportedIdentityProviders"] == ["COGNITO"]


def test_every_method_but_the_preflights_requires_a_user_pool_token(site):
    authorizer, resource = _only(site, "AWS::ApiGateway::Authorizer")
    pool, _ = _only(site, "AWS::Cognito::UserPool")
    assert resource["Properties"]["Type"] == "COGNITO_USER_POOLS"
    assert resource["Properties"]["ProviderARNs"] == [{"Fn::GetAtt": [pool, "Arn"]}]
    assert resource["Properties"]["IdentitySource"] == "method.request.header.Authorization"
    methods = [m["Properties"] for m in site.resources("AWS::ApiGateway::Method").values()]
    calls = [m for m in methods if m["HttpMethod"] != "OPTIONS"]
    assert len(calls) == len(ROUTES)
    for method in calls:
        assert (method["AuthorizationType"], method["AuthorizerId"]) == ("COGNITO_USER_POOLS", {"Ref": authorizer})
    assert all(m["AuthorizationType"] == "NONE" for m in methods if m["HttpMethod"] == "OPTIONS")


def test_cors_allows_the_distributions_origin_only(site):
    origin = _distribution_origin(site)
    quoted = {"Fn::Join": ["", ["'https://", *origin["Fn::Join"][1][1:], "'"]]}
    preflights = [
        m for m in site.resources("AWS::ApiGateway::Method").values() if m["Properties"]["HttpMethod"] == "OPTIONS"
    ]
    assert len(preflights) >= 4
    for method in preflights:
        (answer,) = method["Properties"]["Integration"]["IntegrationResponses"]
        assert answer["ResponseParameters"]["method.response.header.Access-Control-Allow-Origin"] == quoted
    for response in site.resources("AWS::ApiGateway::GatewayResponse").values():
        assert response["Properties"]["ResponseParameters"] == {
            "gatewayresponse.header.Access-Control-Allow-Origin": quoted
        }
    handlers = [
        f["Properties"]
        for f in site.resources("AWS::Lambda::Function").values()
        if f["Properties"].get("Handler", "").startswith("imagegen.handlers.")
    ]
    assert len(handlers) == 7  # and the batches function and the batch worker
    for function in handlers:  # the handlers add the header to their own answers
        assert function["Environment"]["Variables"]["IMAGEGEN_CORS_ORIGIN"] == origin
    images = site.one("AWS::S3::Bucket", "Images")["Properties"]
    assert images["CorsConfiguration"]["CorsRules"] == [
        {"AllowedMethods": ["GET", "HEAD"], "AllowedOrigins": [origin], "MaxAge": 3600}
    ]


def test_the_deployment_uploads_the_page_and_writes_its_config_json(site):
    _, deployment = _only(site, "Custom::CDKBucketDeployment")
    props = deployment["Properties"]
    assert props["DestinationBucketName"] == {"Ref": _site_bucket(site)}
    assert props["DistributionPaths"] == ["/*"]  # a redeployed page is not served stale from the edge
    pages, config = (site.outdir / f"asset.{key.removesuffix('.zip')}" for key in props["SourceObjectKeys"])
    assert (pages / "auth.js").is_file() and not (pages / "config.json").exists()
    text = (config / "config.json").read_text()
    for marker, value in props["SourceMarkers"][1].items():  # filled in by the deployment, tokens resolved
        text = text.replace(marker, json.dumps({"token": value}))
    written = json.loads(text)
    assert (written["authMode"], written["offline"]) == ("cognito", False)
    api, stage = _only(site, "AWS::ApiGateway::RestApi")[0], _only(site, "AWS::ApiGateway::Stage")[0]
    assert written["apiUrl"]["token"]["Fn::Join"][1][1] == {"Ref": api}
    assert written["apiUrl"]["token"]["Fn::Join"][1][-2:] == [{"Ref": stage}, '/"']  # .../prd/
    domain, client = _only(site, "AWS::Cognito::UserPoolDomain")[0], _only(site, "AWS::Cognito::UserPoolClient")[0]
    cognito = written["cognito"]
    assert cognito["domain"]["token"]["Fn::Join"][1][1] == {"Ref": domain}
    assert ".amazoncognito.com" in cognito["domain"]["token"]["Fn::Join"][1][2]
    assert cognito["clientId"]["token"]["Fn::Join"][1][1] == {"Ref": client}
    distribution = _only(site, "AWS::CloudFront::Distribution")[0]
    assert cognito["redirectUri"]["token"]["Fn::Join"][1][1:] == [{"Fn::GetAtt": [distribution, "DomainName"]}, '/"']


def test_cdks_upload_function_writes_to_the_site_bucket_and_invalidates_only(site):
    (policy,) = [
        p for lid, p in site.resources("AWS::IAM::Policy").items() if lid.startswith("CustomCDKBucketDeployment")
    ]
    statements = policy["Properties"]["PolicyDocument"]["Statement"]
    writes = [s for s in statements if any(a.startswith(("s3:Put", "s3:Delete")) for a in s["Action"])]
    assert writes and all(_site_bucket(site) in json.dumps(s["Resource"]) for s in writes)
    anywhere = [s for s in statements if s["Resource"] == "*"]
    assert [sorted(s["Action"]) for s in anywhere] == [["cloudfront:CreateInvalidation", "cloudfront:GetInvalidation"]]


def test_destroy_removes_the_site_its_logs_and_the_users(site):
    for lid in site.resources("AWS::S3::Bucket"):
        resource = site.template["Resources"][lid]
        assert resource["DeletionPolicy"] == "Delete", lid
    emptied = {r["Properties"]["BucketName"]["Ref"] for r in site.resources("Custom::S3AutoDeleteObjects").values()}
    assert emptied == set(site.resources("AWS::S3::Bucket"))
    pool = _only(site, "AWS::Cognito::UserPool")[1]
    assert pool["DeletionPolicy"] == "Delete" and pool["Properties"]["DeletionProtection"] == "INACTIVE"
    assert all(g["DeletionPolicy"] == "Delete" for g in site.resources("AWS::Logs::LogGroup").values())
    assert not [
        lid
        for lid, r in site.template["Resources"].items()
        if r.get("DeletionPolicy") == "Retain" and r["Type"] not in ("AWS::IAM::Role", "AWS::ApiGateway::Account")
    ]  # API Gateway's account role


def test_outputs_name_the_site_and_the_user_pool(site, synthesized):
    outputs = site.template["Outputs"]
    assert outputs["SiteUrl"]["Value"] == {"Fn::Join": ["", [*_distribution_origin(site)["Fn::Join"][1], "/"]]}
    assert outputs["UserPoolId"]["Value"] == {"Ref": _only(site, "AWS::Cognito::UserPool")[0]}
    assert "SiteUrl" not in synthesized["current"].template["Outputs"]
