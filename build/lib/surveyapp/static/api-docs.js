// Renders the API's OpenAPI document (fetched from data-spec) as a reference page.
// Text goes in with textContent only: nothing in the document is read as HTML.
(function () {
  "use strict";
  var root = document.getElementById("api-reference");
  if (!root) { return; }

  function el(tag, text, className) {
    var node = document.createElement(tag);
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    if (className) { node.className = className; }
    return node;
  }

  function schemaBlock(schema) {
    var pre = el("pre");
    pre.tabIndex = 0; // it may scroll sideways: reachable by keyboard
    pre.appendChild(el("code", JSON.stringify(schema, null, 2)));
    return pre;
  }

  function refName(schema) {
    var ref = schema && schema.$ref;
    return ref ? ref.split("/").pop() : null;
  }

  function schemaSummary(schema) {
    var name = refName(schema);
    if (name) {
      var link = el("a", name);
      link.href = "#schema-" + name;
      return link;
    }
    var details = el("details");
    details.appendChild(el("summary", schema && schema.type ? String(schema.type) : "schema"));
    details.appendChild(schemaBlock(schema));
    return details;
  }

  function parameters(op) {
    var list = op.parameters || [];
    if (!list.length) { return null; }
    var table = el("table");
    var head = el("tr");
    ["name", "in", "required", "type", "description"].forEach(function (h) {
      head.appendChild(el("th", h));
    });
    table.appendChild(head);
    list.forEach(function (p) {
      var row = el("tr");
      row.appendChild(el("td")).appendChild(el("code", p.name));
      row.appendChild(el("td", p["in"]));
      row.appendChild(el("td", p.required ? "yes" : "no"));
      row.appendChild(el("td", (p.schema && p.schema.type) || ""));
      row.appendChild(el("td", p.description || ""));
      table.appendChild(row);
    });
    return table;
  }

  function responses(op) {
    var list = el("dl");
    Object.keys(op.responses || {}).forEach(function (status) {
      var reply = op.responses[status];
      list.appendChild(el("dt", status + " " + (reply.description || "")));
      var dd = el("dd");
      Object.keys(reply.content || {}).forEach(function (media) {
        var line = el("div");
        line.appendChild(el("code", media));
        line.appendChild(document.createTextNode(" "));
        line.appendChild(schemaSummary(reply.content[media].schema));
        dd.appendChild(line);
      });
      list.appendChild(dd);
    });
    return list;
  }

  function operation(base, path, method, op) {
    var section = el("section", null, "operation");
    section.id = op.operationId || (method + path);
    section.appendChild(el("h3", method.toUpperCase() + " " + base + path));
    section.appendChild(el("p", op.summary || ""));
    if (op.description) { section.appendChild(el("p", op.description)); }
    var access = op["x-scope"]
      ? "Token scope: " + op["x-scope"] + "; role as on " + op["x-role-of"]
      : "No token needed.";
    section.appendChild(el("p", access, "muted"));
    var params = parameters(op);
    if (params) {
      var wrap = el("div", null, "table-scroll");
      wrap.tabIndex = 0;
      wrap.appendChild(params);
      section.appendChild(el("h4", "Parameters"));
      section.appendChild(wrap);
    }
    if (op.requestBody) {
      section.appendChild(el("h4", "Body (application/json)"));
      section.appendChild(schemaBlock(op.requestBody.content["application/json"].schema));
    }
    section.appendChild(el("h4", "Answers"));
    section.appendChild(responses(op));
    return section;
  }

  function render(spec) {
    root.textContent = "";
    root.appendChild(el("p", spec.info && spec.info.description));
    var base = (spec.servers && spec.servers[0] && spec.servers[0].url) || "";
    var toc = el("ul");
    root.appendChild(el("h2", "Operations"));
    root.appendChild(toc);
    Object.keys(spec.paths).forEach(function (path) {
      Object.keys(spec.paths[path]).forEach(function (method) {
        var op = spec.paths[path][method];
        var item = el("li");
        var link = el("a", method.toUpperCase() + " " + path + ": " + (op.summary || ""));
        link.href = "#" + (op.operationId || (method + path));
        item.appendChild(link);
        toc.appendChild(item);
        root.appendChild(operation(base, path, method, op));
      });
    });
    root.appendChild(el("h2", "Schemas"));
    var schemas = (spec.components && spec.components.schemas) || {};
    Object.keys(schemas).forEach(function (name) {
      var section = el("section", null, "schema");
      section.id = "schema-" + name;
      section.appendChild(el("h3", name));
      section.appendChild(schemaBlock(schemas[name]));
      root.appendChild(section);
    });
  }

  fetch(root.getAttribute("data-spec"), { credentials: "omit" })
    .then(function (r) { return r.json(); })
    .then(render)
    .catch(function (error) {
      root.appendChild(el("p", "Could not load the API description: " + error));
    });
}());
