// The questionnaire expression language in the browser: the same text, parser and results
// as surveyapp/questionnaire/expressions (whose docstring gives the semantics); the server's
// result is the one that counts. window.SurveyExpressions: parse(text) -> tree,
// evaluate(tree, answers, current, today) -> value, truthy(value), asText(value),
// references(tree) -> [names], ExpressionError {kind, at}.
(function (root) {
  "use strict";
  var LIMIT = { length: 2000, depth: 50, number: 30, string: 500, pattern: 200 };
  var SPACE = new Set(" \t\r\n");
  var DIGITS = new Set("0123456789");
  var NAME_START = new Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_");
  var NAME_CHARS = new Set(Array.from(NAME_START).concat(Array.from("0123456789.-")));
  var SYMBOLS = new Set(["!=", "<=", ">=", "=", "<", ">", "+", "-", "*", "(", ")", ","]);
  var OPERATOR_NAMES = new Set(["and", "or", "div", "mod"]);
  var OPERAND_END = new Set(["num", "str", "ref", "dot", ")"]);
  var LEVELS = [["=", "!="], ["<", "<=", ">", ">="], ["+", "-"], ["*", "div", "mod"]];
  var DESCRIBED = { end: "the end of the expression", num: "a number", str: "a quoted string",
    ref: "a question", dot: "'.'", func: "a function" };
  var PRIMARY = new Set(["num", "str", "ref", "dot", "func", "("]);
  var HAS = Object.prototype.hasOwnProperty;

  class ExpressionError extends Error {
    constructor(kind, message, at) {
      super(at === null ? message : message + " at character " + at);
      this.kind = kind;
      this.at = at;
    }
  }

  // ---- values: string, number, boolean (XPath 1.0 conversions) ----
  function strip(text) {
    var start = 0, end = text.length;
    while (start < end && SPACE.has(text[start])) { start++; }
    while (end > start && SPACE.has(text[end - 1])) { end--; }
    return text.slice(start, end);
  }
  function dateDays(text) {
    var m = /^([0-9]{4})-([0-9]{2})-([0-9]{2})$/.exec(text);
    if (!m) { return NaN; }
    var year = +m[1], month = +m[2], day = +m[3], when = new Date(0);
    if (year < 1 || month < 1 || month > 12 || day < 1) { return NaN; }
    when.setUTCFullYear(year, month - 1, day);
    if (when.getUTCMonth() !== month - 1 || when.getUTCDate() !== day) { return NaN; }
    return when.getTime() / 86400000;
  }
  function toNumber(value) {
    if (typeof value === "boolean") { return value ? 1 : 0; }
    if (typeof value === "number") { return value; }
    var text = strip(value);
    if (/^-?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)$/.test(text)) { return Number(text); }
    return dateDays(text);
  }
  function numberText(number) {
    if (Number.isNaN(number)) { return "NaN"; }
    if (!Number.isFinite(number)) { return number > 0 ? "Infinity" : "-Infinity"; }
    if (number === 0) { return "0"; }
    var text = String(number);
    var m = /^(-?)([0-9])(?:\.([0-9]+))?e([+-][0-9]+)$/.exec(text);
    if (!m) { return text; }
    var digits = m[2] + (m[3] || ""), point = parseInt(m[4], 10) + 1;
    if (point <= 0) { return m[1] + "0." + "0".repeat(-point) + digits; }
    if (point >= digits.length) { return m[1] + digits + "0".repeat(point - digits.length); }
    return m[1] + digits.slice(0, point) + "." + digits.slice(point);
  }
  function toText(value) {
    if (typeof value === "string") { return value; }
    if (typeof value === "boolean") { return value ? "true" : "false"; }
    return numberText(value);
  }
  function toBoolean(value) {
    if (typeof value === "string") { return value !== ""; }
    if (typeof value === "boolean") { return value; }
    return !(value === 0 || Number.isNaN(value));
  }
  function listItems(value) {
    return toText(value).split(/[ \t\r\n]+/).filter(function (item) { return item !== ""; });
  }
  function answerValue(raw) {
    if (raw === null || raw === undefined) { return ""; }
    if (Array.isArray(raw)) { return raw.map(String).join(" "); }
    var type = typeof raw;
    return type === "string" || type === "number" || type === "boolean" ? raw : String(raw);
  }
  function equal(a, b) {
    if (typeof a === "string" && typeof b === "string") { return a === b; }
    if (typeof a === "boolean" || typeof b === "boolean") { return toBoolean(a) === toBoolean(b); }
    return toNumber(a) === toNumber(b);
  }
  var OPERATORS = {
    "=": equal,
    "!=": function (a, b) { return !equal(a, b); },
    "<": function (a, b) { return toNumber(a) < toNumber(b); },
    "<=": function (a, b) { return toNumber(a) <= toNumber(b); },
    ">": function (a, b) { return toNumber(a) > toNumber(b); },
    ">=": function (a, b) { return toNumber(a) >= toNumber(b); },
    "+": function (a, b) { return toNumber(a) + toNumber(b); },
    "-": function (a, b) { return toNumber(a) - toNumber(b); },
    "*": function (a, b) { return toNumber(a) * toNumber(b); },
    "div": function (a, b) { return toNumber(a) / toNumber(b); },
    "mod": function (a, b) { return toNumber(a) % toNumber(b); },
  };

  // ---- functions: [least, most (-1: any), run(call, env)] ----
  function one(convert) {
    return function (call, env) { return convert(run(call.args[0], env)); };
  }
  var FUNCTIONS = {
    "selected": [2, 2, function (call, env) {
      return listItems(run(call.args[0], env)).indexOf(strip(toText(run(call.args[1], env)))) >= 0;
    }],
    "count-selected": [1, 1, one(function (v) { return listItems(v).length; })],
    "string-length": [1, 1, one(function (v) { return Array.from(toText(v)).length; })],
    "regex": [2, 2, function (call, env) {
      return call.pattern.test(toText(run(call.args[0], env)));
    }],
    "if": [3, 3, function (call, env) {
      return run(toBoolean(run(call.args[0], env)) ? call.args[1] : call.args[2], env);
    }],
    "coalesce": [2, 2, function (call, env) {
      var first = run(call.args[0], env);
      return first !== "" ? first : run(call.args[1], env);
    }],
    "number": [1, 1, one(toNumber)],
    "int": [1, 1, one(function (v) { return Math.trunc(toNumber(v)); })],
    "today": [0, 0, function (call, env) { return env.today; }],
    "not": [1, 1, one(function (v) { return !toBoolean(v); })],
    "true": [0, 0, function () { return true; }],
    "false": [0, 0, function () { return false; }],
    "string": [1, 1, one(toText)],
    "concat": [1, -1, function (call, env) {
      return call.args.map(function (arg) { return toText(run(arg, env)); }).join("");
    }],
  };
  function arityText(least, most) {
    var count = most === -1 ? "at least " + least : String(least);
    return count + " argument" + (least === 1 ? "" : "s");
  }
  function compilePattern(pattern) {
    // RE2 accepted the pattern on the server; u matches code points as RE2 does.
    try { return new RegExp(pattern, "u"); } catch (e) { /* try without u */ }
    try { return new RegExp(pattern); } catch (e) { return null; }
  }

  // ---- lexer: tokens {kind, text, at}, positions 1-based in code points ----
  function tokenize(text) {
    var chars = Array.from(text), tokens = [], i = 0;
    if (chars.length > LIMIT.length) {
      throw new ExpressionError("too-long", "longer than " + LIMIT.length + " characters", null);
    }
    function fail(kind, message, at) { return new ExpressionError(kind, message, at + 1); }
    function scan(allowed) {
      var start = i;
      while (i < chars.length && allowed.has(chars[i])) { i++; }
      return chars.slice(start, i).join("");
    }
    function number() {
      var start = i;
      scan(DIGITS);
      if (chars[i] === ".") { i++; scan(DIGITS); }
      if (i - start > LIMIT.number) {
        throw fail("number-too-long", "a number has more than " + LIMIT.number + " characters",
          start);
      }
      return { kind: "num", text: chars.slice(start, i).join(""), at: start + 1 };
    }
    function string(quote) {
      var start = i, end = chars.indexOf(quote, start + 1);
      if (end < 0) { throw fail("syntax", "a quoted string is not closed", start); }
      if (end - start - 1 > LIMIT.string) {
        throw fail("string-too-long", "a quoted string has more than " + LIMIT.string +
          " characters", start);
      }
      i = end + 1;
      return { kind: "str", text: chars.slice(start + 1, end).join(""), at: start + 1 };
    }
    function reference() {
      var start = i;
      if (chars[i + 1] === "{") {
        i += 2;
        var name = scan(NAME_CHARS);
        if (name && chars[i] === "}") { i++; return { kind: "ref", text: name, at: start + 1 }; }
      }
      throw fail("syntax", "a question is written ${name}", start);
    }
    function name() {
      var start = i, word = scan(NAME_CHARS), last = tokens[tokens.length - 1];
      if (last && OPERAND_END.has(last.kind)) {
        if (!OPERATOR_NAMES.has(word)) {
          throw fail("syntax", "expected an operator, found '" + word + "'", start);
        }
        return { kind: "op", text: word, at: start + 1 };
      }
      scan(SPACE);
      if (chars[i] !== "(") {
        var hint = OPERATOR_NAMES.has(word) ? "" : " (a question is written ${" + word + "})";
        throw fail("syntax", "unexpected name '" + word + "'" + hint, start);
      }
      return { kind: "func", text: word, at: start + 1 };
    }
    function token(c) {
      if (DIGITS.has(c) || (c === "." && DIGITS.has(chars[i + 1]))) { return number(); }
      if (c === ".") { i++; return { kind: "dot", text: ".", at: i }; }
      if (c === "'" || c === "\"") { return string(c); }
      if (c === "$") { return reference(); }
      if (NAME_START.has(c)) { return name(); }
      var two = c + (chars[i + 1] || ""), symbol = two.length === 2 && SYMBOLS.has(two) ? two : c;
      if (!SYMBOLS.has(symbol)) { throw fail("syntax", "unexpected character '" + c + "'", i); }
      i += symbol.length;
      var kind = symbol === "(" || symbol === ")" || symbol === "," ? symbol : "op";
      return { kind: kind, text: symbol, at: i - symbol.length + 1 };
    }
    while (i < chars.length) {
      if (SPACE.has(chars[i])) { i++; } else { tokens.push(token(chars[i])); }
    }
    tokens.push({ kind: "end", text: "", at: chars.length + 1 });
    return tokens;
  }

  // ---- parser: XPath 1.0 precedence; nodes are frozen plain objects ----
  function node(fields) { return Object.freeze(fields); }
  function parseTokens(tokens) {
    var i = 0, depth = 0;
    function peek() { return tokens[i]; }
    function isOp(words) { return peek().kind === "op" && words.indexOf(peek().text) >= 0; }
    function unexpected() {
      var token = peek(), what = DESCRIBED[token.kind] || "'" + token.text + "'";
      return new ExpressionError("syntax", "did not expect " + what, token.at);
    }
    function expect(kind) {
      if (peek().kind !== kind) { throw unexpected(); }
      return tokens[i++];
    }
    function enter(at) {
      depth += 1;
      if (depth > LIMIT.depth) {
        throw new ExpressionError("too-deep", "nested deeper than " + LIMIT.depth + " levels", at);
      }
    }
    function logic(word, operand) {
      var operands = [operand()];
      while (isOp([word])) { i++; operands.push(operand()); }
      if (operands.length === 1) { return operands[0]; }
      return node({ type: word, operands: Object.freeze(operands) });
    }
    function expression() {
      return logic("or", function () { return logic("and", function () { return chain(0); }); });
    }
    function chain(level) {
      if (level === LEVELS.length) { return unary(); }
      var first = chain(level + 1), steps = [];
      while (isOp(LEVELS[level])) {
        var operator = tokens[i++].text;
        steps.push(Object.freeze([operator, chain(level + 1)]));
      }
      if (!steps.length) { return first; }
      return node({ type: "chain", first: first, steps: Object.freeze(steps) });
    }
    function unary() {
      if (!isOp(["-"])) { return primary(); }
      var at = tokens[i++].at;
      enter(at);
      var operand = unary();
      depth -= 1;
      return node({ type: "negate", operand: operand, at: at });
    }
    function primary() {
      var token = peek();
      if (!PRIMARY.has(token.kind)) { throw unexpected(); }
      i++;
      if (token.kind === "num" || token.kind === "str") {
        var value = token.kind === "num" ? Number(token.text) : token.text;
        return node({ type: "literal", value: value, at: token.at });
      }
      if (token.kind === "ref") { return node({ type: "ref", name: token.text, at: token.at }); }
      if (token.kind === "dot") { return node({ type: "dot", at: token.at }); }
      if (token.kind === "(") {
        enter(token.at);
        var inner = expression();
        expect(")");
        depth -= 1;
        return inner;
      }
      return call(token);
    }
    function call(name) {
      var fn = HAS.call(FUNCTIONS, name.text) ? FUNCTIONS[name.text] : null;
      if (!fn) {
        throw new ExpressionError("unknown-function", "unknown function '" + name.text + "'",
          name.at);
      }
      enter(name.at);
      expect("(");
      var args = peek().kind === ")" ? [] : [expression()];
      while (peek().kind === ",") { i++; args.push(expression()); }
      expect(")");
      depth -= 1;
      if (args.length < fn[0] || (fn[1] !== -1 && args.length > fn[1])) {
        throw new ExpressionError("arity", name.text + "() takes " + arityText(fn[0], fn[1]) +
          ", not " + args.length, name.at);
      }
      return node({ type: "call", name: name.text, args: Object.freeze(args), at: name.at,
        run: fn[2], pattern: name.text === "regex" ? pattern(name, args[1]) : null });
    }
    function pattern(name, literal) {
      if (literal.type !== "literal" || typeof literal.value !== "string") {
        throw new ExpressionError("regex", "regex() takes its pattern as a quoted string", name.at);
      }
      if (Array.from(literal.value).length > LIMIT.pattern) {
        throw new ExpressionError("regex", "a regex() pattern has more than " + LIMIT.pattern +
          " characters", name.at);
      }
      var compiled = compilePattern(literal.value);
      if (!compiled) { throw new ExpressionError("regex", "regex() pattern refused", name.at); }
      return compiled;
    }
    var tree = expression();
    if (peek().kind !== "end") { throw unexpected(); }
    return tree;
  }

  // ---- evaluation ----
  function run(tree, env) {
    switch (tree.type) {
      case "literal": return tree.value;
      case "ref": return answerValue(HAS.call(env.answers, tree.name) ? env.answers[tree.name]
        : null);
      case "dot": return answerValue(env.current);
      case "negate": return -toNumber(run(tree.operand, env));
      case "and": return tree.operands.every(function (o) { return toBoolean(run(o, env)); });
      case "or": return tree.operands.some(function (o) { return toBoolean(run(o, env)); });
      case "call": return tree.run(tree, env);
      default: return tree.steps.reduce(function (result, step) {
        return OPERATORS[step[0]](result, run(step[1], env));
      }, run(tree.first, env));
    }
  }
  function localToday() {
    var now = new Date(), pad = function (n) { return (n < 10 ? "0" : "") + n; };
    return String(now.getFullYear()).padStart(4, "0") + "-" + pad(now.getMonth() + 1) + "-" +
      pad(now.getDate());
  }
  function parse(text) {
    if (typeof text !== "string") {
      throw new ExpressionError("syntax", "an expression must be text", null);
    }
    return parseTokens(tokenize(text));
  }
  function evaluate(tree, answers, current, today) {
    return run(tree, { answers: answers || {}, current: current, today: today || localToday() });
  }
  function references(tree) {
    var names = new Set(), stack = [tree];
    while (stack.length) {
      var item = stack.pop();
      if (item.type === "ref") { names.add(item.name); }
      [item.operand, item.first].concat(item.operands || [], item.args || [],
        (item.steps || []).map(function (step) { return step[1]; }))
        .forEach(function (child) { if (child) { stack.push(child); } });
    }
    return Array.from(names).sort();
  }

  root.SurveyExpressions = Object.freeze({
    parse: parse, evaluate: evaluate, truthy: toBoolean, asText: toText,
    references: references, ExpressionError: ExpressionError,
  });
})(window);
