; JSX element references, for the JavaScript and TSX grammars (the plain
; TypeScript grammar has no JSX nodes). Written for glm-lsp.
; Only capitalised tags are components; lower-case ones are HTML elements.

((jsx_opening_element
  name: (identifier) @name) @reference.class
  (#match? @name "^[A-Z]"))

((jsx_self_closing_element
  name: (identifier) @name) @reference.class
  (#match? @name "^[A-Z]"))
