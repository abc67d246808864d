// Safe DOM building: elements made with createElement, data only ever set as text or as
// attribute values, never parsed as HTML (eslint forbids innerHTML and its kin).

// h("li", { class: "bl-hot", dataset: { ack: key } }, "text", child, [more, children]):
// attributes with null, undefined or false are left off, true sets an empty attribute;
// children are nodes or text (numbers too), arrays are flattened, null and false skipped.
export function h(tag, attributes, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes || {})) {
    if (value === null || value === undefined || value === false) { continue; }
    if (name === "class") { element.className = value; }
    else if (name === "dataset") { Object.assign(element.dataset, value); }
    else if (name === "style") { for (const [k, v] of Object.entries(value)) { element.style.setProperty(k, v); } }
    else { element.setAttribute(name, value === true ? "" : String(value)); }
  }
  return append(element, children);
}

function isNode(child) { return typeof child === "object" && child !== null && "nodeType" in child; }

// Appends nodes and text (as text nodes) to element; returns element.
export function append(element, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) { continue; }
    element.append(isNode(child) ? child : String(child));
  }
  return element;
}

// Replaces what element holds with children (a node list built with h).
export function fill(element, ...children) {
  if (!element) { return element; }
  element.replaceChildren();
  return append(element, children);
}

export function byId(id) { return document.getElementById(id); }
