; Tags for node types that only the JavaScript grammar has (TypeScript names
; them differently); glm-lsp prepends ecmascript-tags.scm. Written for glm-lsp.

(field_definition
  property: (property_identifier) @name
  value: [(arrow_function) (function_expression)]) @definition.method

(class_heritage (identifier) @name) @reference.class

(class_heritage (member_expression property: (property_identifier) @name)) @reference.class
