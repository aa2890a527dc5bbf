"""Runs the SAM transform (AWS::Serverless-2016-10-31) on a template, as CloudFormation would at
deploy time, and prints the resulting CloudFormation template as JSON.

Local CodeUri / DefinitionUri paths are replaced by S3 URIs first, as `sam package` does after
uploading them; a DefinitionUri that names no file is an error here, as it would be there.
Managed policies are not looked up (that needs IAM): the loader knows none, so a policy given
by name would fail the transform, which is what we want (the template uses ARNs or templates).
"""
import json
import os
import sys

from samtranslator.translator.transform import transform
from samtranslator.yaml_helper import yaml_parse


class NoManagedPolicies:
    def load(self):
        return {}


def packaged(uri, base, must_exist):
    if not isinstance(uri, str) or uri.startswith("s3://"):
        return uri
    if must_exist and not os.path.isfile(os.path.join(base, uri)):
        sys.exit(f"{uri}: no such file (relative to {base})")
    return "s3://packaged-by-test/" + uri


def main(path):
    base = os.path.dirname(os.path.abspath(path))
    with open(path) as f:
        template = yaml_parse(f.read())
    function_globals = template.get("Globals", {}).get("Function", {})
    if "CodeUri" in function_globals:
        function_globals["CodeUri"] = packaged(function_globals["CodeUri"], base, False)
    for resource in template.get("Resources", {}).values():
        props = resource.get("Properties") or {}
        if "CodeUri" in props:
            props["CodeUri"] = packaged(props["CodeUri"], base, False)
        if "DefinitionUri" in props:
            props["DefinitionUri"] = packaged(props["DefinitionUri"], base, True)
    # The transform fills AWS::Region in from the environment; any region will do.
    os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
    print(json.dumps(transform(template, {}, NoManagedPolicies()), indent=1, default=str))


if __name__ == "__main__":
    main(sys.argv[1])
