/**
 * A minimal XML well-formedness checker for the chart tests (no dependencies): one root element,
 * balanced and properly nested tags, quoted unique attributes, valid entity references, no raw
 * `<` or `&` in text or attribute values. Comments, processing instructions and CDATA are
 * accepted; DTDs are not.
 *
 * @module
 */

/** A parsed element (enough for the tests to query tags and attributes). */
export interface XmlElement {
  name: string;
  attrs: Record<string, string>;
  children: XmlElement[];
  text: string;
}

const NAME = /^[A-Za-z_:][-A-Za-z0-9_:.]*/;
const ENTITY = /^&(amp|lt|gt|quot|apos|#[0-9]+|#x[0-9a-fA-F]+);/;

function checkText(s: string, where: string): string {
  let out = "";
  for (let i = 0; i < s.length; i++) {
    if (s[i] === "<") throw new Error(`raw '<' in ${where}`);
    if (s[i] === "&") {
      const m = s.slice(i).match(ENTITY);
      if (!m) throw new Error(`bad entity in ${where}: ${s.slice(i, i + 10)}`);
      out += decodeEntity(m[1]);
      i += m[0].length - 1;
    } else out += s[i];
  }
  return out;
}

function decodeEntity(e: string): string {
  const named: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" };
  if (e in named) return named[e];
  return String.fromCodePoint(e[1] === "x" ? parseInt(e.slice(2), 16) : parseInt(e.slice(1)));
}

/** Parses `xml`, throwing an `Error` that says what is wrong if it is not well-formed. */
export function parseXml(xml: string): XmlElement {
  let i = 0;
  const stack: XmlElement[] = [];
  let root: XmlElement | null = null;
  const skipSpace = () => {
    while (i < xml.length && /\s/.test(xml[i])) i++;
  };
  while (i < xml.length) {
    if (xml[i] !== "<") {
      const j = xml.indexOf("<", i);
      const raw = xml.slice(i, j < 0 ? xml.length : j);
      const text = checkText(raw, "text");
      if (stack.length === 0) {
        if (text.trim() !== "") throw new Error(`text outside the root: ${raw.slice(0, 20)}`);
      } else stack[stack.length - 1].text += text;
      i = j < 0 ? xml.length : j;
      continue;
    }
    if (xml.startsWith("<!--", i)) {
      const j = xml.indexOf("-->", i + 4);
      if (j < 0) throw new Error("unterminated comment");
      i = j + 3;
      continue;
    }
    if (xml.startsWith("<?", i)) {
      const j = xml.indexOf("?>", i + 2);
      if (j < 0) throw new Error("unterminated processing instruction");
      i = j + 2;
      continue;
    }
    if (xml.startsWith("<![CDATA[", i)) {
      if (stack.length === 0) throw new Error("CDATA outside the root");
      const j = xml.indexOf("]]>", i);
      if (j < 0) throw new Error("unterminated CDATA");
      stack[stack.length - 1].text += xml.slice(i + 9, j);
      i = j + 3;
      continue;
    }
    if (xml.startsWith("<!", i)) throw new Error("DTDs are not supported");
    if (xml[i + 1] === "/") {
      i += 2;
      const m = xml.slice(i).match(NAME);
      if (!m) throw new Error(`bad closing tag at ${i}`);
      i += m[0].length;
      skipSpace();
      if (xml[i] !== ">") throw new Error(`bad closing tag </${m[0]} at ${i}`);
      i++;
      const open = stack.pop();
      if (!open || open.name !== m[0]) {
        throw new Error(`</${m[0]}> closes <${open?.name ?? "nothing"}>`);
      }
      continue;
    }
    i++;
    const m = xml.slice(i).match(NAME);
    if (!m) throw new Error(`bad tag name at ${i}`);
    i += m[0].length;
    const el: XmlElement = { name: m[0], attrs: {}, children: [], text: "" };
    for (;;) {
      const before = i;
      skipSpace();
      if (xml.startsWith("/>", i) || xml[i] === ">") break;
      if (i === before) throw new Error(`missing space before attribute in <${el.name}>`);
      const a = xml.slice(i).match(NAME);
      if (!a) throw new Error(`bad attribute in <${el.name}> at ${i}`);
      i += a[0].length;
      skipSpace();
      if (xml[i] !== "=") throw new Error(`attribute ${a[0]} without value in <${el.name}>`);
      i++;
      skipSpace();
      const q = xml[i];
      if (q !== '"' && q !== "'") throw new Error(`unquoted attribute ${a[0]} in <${el.name}>`);
      const end = xml.indexOf(q, i + 1);
      if (end < 0) throw new Error(`unterminated attribute ${a[0]}`);
      if (a[0] in el.attrs) throw new Error(`duplicate attribute ${a[0]} in <${el.name}>`);
      el.attrs[a[0]] = checkText(xml.slice(i + 1, end), `attribute ${a[0]}`);
      i = end + 1;
    }
    if (stack.length > 0) stack[stack.length - 1].children.push(el);
    else if (root) throw new Error(`second root element <${el.name}>`);
    else root = el;
    if (xml[i] === "/") i += 2;
    else {
      i++;
      stack.push(el);
    }
  }
  if (stack.length > 0) throw new Error(`unclosed <${stack[stack.length - 1].name}>`);
  if (!root) throw new Error("no root element");
  return root;
}

/** All elements of the tree (depth first, document order) whose tag is `name`. */
export function findAll(el: XmlElement, name: string): XmlElement[] {
  const out: XmlElement[] = [];
  const walk = (e: XmlElement) => {
    if (e.name === name) out.push(e);
    e.children.forEach(walk);
  };
  walk(el);
  return out;
}
