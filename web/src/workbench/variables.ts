/**
 * Fill the placeholders `use` left open (`missing_variables`, written `{name}`) with what the
 * agent typed; a placeholder left empty stays as written, so the preview shows what is missing.
 */
export function fillVariables(content: string, values: Record<string, string>): string {
  let text = content
  for (const [name, value] of Object.entries(values)) {
    if (!value) continue
    const placeholder = name.startsWith('{') ? name : `{${name}}`
    text = text.split(placeholder).join(value)
  }
  return text
}
