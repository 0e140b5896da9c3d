/** Small DOM builders of the value editor page (vscode-elements for buttons and text fields). */

type Props<K extends keyof HTMLElementTagNameMap> = Partial<Omit<HTMLElementTagNameMap[K], 'style'>>;

export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props: Props<K> = {},
  ...children: (Node | string)[]
): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  Object.assign(e, props);
  e.append(...children);
  return e;
}

/** A vscode-button with a codicon; `onClick` optional. */
export function button(label: string, icon: string, onClick?: () => void): HTMLElementTagNameMap['vscode-button'] {
  const b = el('vscode-button', { icon, textContent: label, secondary: true });
  b.setAttribute('aria-label', label);
  if (onClick) b.addEventListener('click', onClick);
  return b;
}

/** A vscode-textfield with a label for screen readers. */
export function textfield(name: string, placeholder: string, className: string): HTMLElementTagNameMap['vscode-textfield'] {
  const t = el('vscode-textfield', { placeholder, className });
  t.setAttribute('name', name);
  t.setAttribute('aria-label', placeholder);
  return t;
}
