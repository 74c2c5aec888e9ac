#!/usr/bin/env python3
# Derives tests/data/provider-contracts.json from Retell's and Twilio's published OpenAPI descriptions, for the
# operations the sandbox serves (read from its route tables). Run by hand after a spec or a sandbox route changes.
"""Usage: python3 scripts/derive-provider-contracts.py [RETELL_SPEC] [TWILIO_SPEC]

Both default to ../shared/specs/ next to the repository. The output is sorted and carries no timestamp, so
running it twice gives the same file and a diff shows only what the specs or the routes changed.
"""

import hashlib
import json
import os
import re
import sys

import yaml

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_SPECS = os.path.join(os.path.dirname(REPO), "shared", "specs")
OUTPUT = os.path.join(REPO, "tests", "data", "provider-contracts.json")
METHODS = ("get", "put", "post", "patch", "delete")

# Sandbox routes that the description lacks but the real provider answers. Each needs a reason; keep it short.
EXCEPTIONS = {
    "retell": {},
    "twilio": {},
}

# Schema keywords a field keeps in the contract; everything else (descriptions, examples) is left out.
FIELD_KEYS = ("enum", "format", "pattern", "minimum", "maximum", "exclusiveMinimum", "minLength", "maxLength", "nullable")


class Spec:
    def __init__(self, path, document):
        self.path = path
        self.doc = document

    def resolve(self, node, seen=()):
        """Follows $ref chains; a cycle ends in an empty schema rather than recursing forever."""
        while isinstance(node, dict) and "$ref" in node:
            ref = node["$ref"]
            if ref in seen or not ref.startswith("#/"):
                return {}
            seen = seen + (ref,)
            target = self.doc
            for part in ref[2:].split("/"):
                target = target[part.replace("~1", "/").replace("~0", "~")]
            # Sibling keys of a $ref (a description, nullable) still apply.
            extra = {k: v for k, v in node.items() if k != "$ref"}
            node = dict(target, **extra) if extra else target
        return node

    def flatten(self, schema, depth=0):
        """One object schema out of $ref and allOf: properties merged, required lists joined."""
        schema = self.resolve(schema)
        if not isinstance(schema, dict):
            return {}
        result = {k: v for k, v in schema.items() if k not in ("allOf", "properties", "required")}
        properties = {}
        required = set(schema.get("required", []))
        for part in schema.get("allOf", []):
            part = self.flatten(part, depth + 1)
            properties.update(part.get("properties", {}))
            required |= set(part.get("required", []))
            for key, value in part.items():
                if key not in ("properties", "required"):
                    result.setdefault(key, value)
        properties.update(schema.get("properties", {}))
        if properties:
            result["properties"] = properties
        if required:
            result["required"] = sorted(required)
        return result

    def field(self, schema, nested=True):
        """Type, enum, format and bounds of one field; an object field lists its own fields one level deep."""
        schema = self.flatten(schema)
        if "oneOf" in schema or "anyOf" in schema:
            # The JSON types any variant takes; a variant of unknown type leaves the field unchecked.
            variants = [self.field(v, nested=False) for v in schema.get("oneOf", schema.get("anyOf", []))]
            types = set()
            for variant in variants:
                kinds = variant.get("one_of", [variant["type"]] if "type" in variant else [])
                if not kinds:
                    types = None
                    break
                types.update(kinds)
            result = {"one_of": sorted(types)} if types else {}
            # Object shapes that each require fields (a number or a range filter): a value must carry one set.
            shapes = [self.flatten(v) for v in schema.get("oneOf", schema.get("anyOf", []))]
            if shapes and all(s.get("required") for s in shapes):
                result["one_of_required"] = [sorted(s["required"]) for s in shapes]
            if schema.get("nullable") or any(v.get("nullable") for v in variants):
                result["nullable"] = True
            return result
        result = {}
        kind = schema.get("type")
        if kind is None and "properties" in schema:
            kind = "object"
        if kind is not None:
            result["type"] = kind
        for key in FIELD_KEYS:
            if key in schema:
                result[key] = schema[key]
        if "enum" in result:
            # A null in an enum is the nullable flag written another way; the values to check are the strings.
            if None in result["enum"]:
                result["nullable"] = True
            result["enum"] = sorted(v for v in result["enum"] if v is not None)
        if kind == "array" and "items" in schema:
            # An array's items count as the same level: a list answer's items are described with their fields.
            items = self.field(schema["items"], nested=nested)
            if items:
                result["items"] = items
        if kind == "object" and nested and schema.get("properties"):
            result["fields"] = {name: self.field(sub, nested=False) for name, sub in sorted(schema["properties"].items())}
            if schema.get("required"):
                result["required"] = sorted(schema["required"])
        return result

    def operation(self, method, path):
        item = self.doc["paths"].get(path)
        return item.get(method.lower()) if item else None

    def describe(self, method, path):
        item = self.doc["paths"][path]
        op = item[method.lower()]
        parameters = [self.resolve(p) for p in item.get("parameters", []) + op.get("parameters", [])]
        result = {
            "method": method,
            "path": path,
            "operation_id": op.get("operationId", ""),
            "path_parameters": [],
            "query_parameters": [],
        }
        for p in sorted(parameters, key=lambda p: (p.get("in", ""), p.get("name", ""))):
            entry = {"name": p["name"], "required": bool(p.get("required", False))}
            entry.update(self.field(p.get("schema", {})))
            if p.get("in") == "path":
                result["path_parameters"].append(entry)
            elif p.get("in") == "query":
                result["query_parameters"].append(entry)
        body = op.get("requestBody")
        if body:
            body = self.resolve(body)
            content_type, media = sorted(body.get("content", {}).items())[0]
            schema = self.flatten(media.get("schema", {}))
            result["request"] = {
                "content_type": content_type,
                "body_required": bool(body.get("required", False)),
                "required": sorted(schema.get("required", [])),
                "fields": {name: self.field(sub) for name, sub in sorted(schema.get("properties", {}).items())},
            }
            if schema.get("additionalProperties") is False:
                result["request"]["additional_properties"] = False
        successes = sorted(code for code in op.get("responses", {}) if str(code).startswith("2"))
        if successes:
            code = successes[0]
            answer = self.resolve(op["responses"][code])
            result["success"] = {"status": int(code)}
            content = answer.get("content", {})
            if content:
                content_type, media = sorted(content.items())[0]
                schema = self.flatten(media.get("schema", {}))
                result["success"]["content_type"] = content_type
                # An answer that is one of several objects (a phone or a web call) lists each; one of them must fit.
                variants = [self.flatten(v) for v in schema.get("oneOf", [])] or [schema]
                result["success"]["variants"] = [self.answer(v) for v in variants]
        return result

    def answer(self, schema):
        kind = schema.get("type", "object" if "properties" in schema else "")
        result = {"type": kind}
        if kind == "array" and "items" in schema:
            result["items"] = self.field(schema["items"])
        else:
            result["required"] = sorted(schema.get("required", []))
            result["fields"] = {name: self.field(sub) for name, sub in sorted(schema.get("properties", {}).items())}
        return result


def sandbox_routes(source):
    """(method, pattern) of every m_routes.add(...) in a sandbox source file, in order."""
    with open(os.path.join(REPO, "sandbox", source), encoding="utf-8") as f:
        text = f.read()
    return re.findall(r'm_routes\.add\("(\w+)"_ba,\s*u"([^"]+)"_s', text)


def spec_path_for(spec, method, pattern):
    """The spec's path template that a sandbox pattern ("/get-agent/*") stands for, or None."""
    wanted = pattern.strip("/").split("/")
    for path, item in spec.doc["paths"].items():
        segments = path.strip("/").split("/")
        if len(segments) != len(wanted):
            continue
        if all(w == "*" and s.startswith("{") or w == s for w, s in zip(wanted, segments)):
            if method.lower() in item:
                return path
    return None


def spec_paths_any_method(spec, pattern):
    wanted = pattern.strip("/").split("/")
    for path in spec.doc["paths"]:
        segments = path.strip("/").split("/")
        if len(segments) == len(wanted) and all(w == "*" and s.startswith("{") or w == s for w, s in zip(wanted, segments)):
            return path
    return None


def provider_contract(name, spec, source):
    routes = []
    operations = []
    exceptions = EXCEPTIONS[name]
    for method, pattern in sandbox_routes(source):
        path = spec_path_for(spec, method, pattern)
        entry = {"method": method, "sandbox_pattern": pattern, "in_spec": path is not None}
        if path is not None:
            entry["path"] = path
            operations.append(spec.describe(method, path))
        else:
            other = spec_paths_any_method(spec, pattern)
            if other:
                entry["spec_methods"] = sorted(m.upper() for m in spec.doc["paths"][other] if m in METHODS)
            if (method + " " + pattern) in exceptions:
                entry["exception"] = exceptions[method + " " + pattern]
        routes.append(entry)
    with open(spec.path, "rb") as f:
        digest = hashlib.sha256(f.read()).hexdigest()
    return {
        "source": {"file": os.path.basename(spec.path), "sha256": digest,
                   "title": spec.doc.get("info", {}).get("title", ""),
                   "version": str(spec.doc.get("info", {}).get("version", ""))},
        "routes": sorted(routes, key=lambda r: (r["sandbox_pattern"], r["method"])),
        "operations": sorted(operations, key=lambda o: (o["path"], o["method"])),
    }


def main(argv):
    retell_path = argv[1] if len(argv) > 1 else os.path.join(DEFAULT_SPECS, "retell-openapi.yaml")
    twilio_path = argv[2] if len(argv) > 2 else os.path.join(DEFAULT_SPECS, "twilio-messages-openapi.json")
    with open(retell_path, encoding="utf-8") as f:
        retell = Spec(retell_path, yaml.safe_load(f))
    with open(twilio_path, encoding="utf-8") as f:
        twilio = Spec(twilio_path, json.load(f))
    contract = {
        "generated_by": "python3 scripts/derive-provider-contracts.py",
        "providers": {
            "retell": provider_contract("retell", retell, "retellapi.cpp"),
            "twilio": provider_contract("twilio", twilio, "twilioapi.cpp"),
        },
    }
    os.makedirs(os.path.dirname(OUTPUT), exist_ok=True)
    with open(OUTPUT, "w", encoding="utf-8") as f:
        json.dump(contract, f, indent=1, sort_keys=True, ensure_ascii=False)
        f.write("\n")
    for name, provider in contract["providers"].items():
        missing = [r for r in provider["routes"] if not r["in_spec"]]
        print(f"{name}: {len(provider['routes'])} routes, {len(provider['operations'])} operations, "
              f"{len(missing)} not in the description", file=sys.stderr)
        for route in missing:
            print(f"  {route['method']} {route['sandbox_pattern']}: {route.get('exception', 'NOT DOCUMENTED')}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
