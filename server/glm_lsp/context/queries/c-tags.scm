; Tags for C.
; Adapted from tree-sitter-c 0.24.2 queries/tags.scm (MIT License,
; Copyright (c) 2014 Max Brunsfeld). Changes for glm-lsp: a function's
; definition node is the whole function_definition (so its line range covers
; the body) instead of the declarator; pointer-returning functions, prototypes,
; unions, macros, call references and type references added.
; Order matters: the earlier pattern's category wins for the same name and line.

(struct_specifier name: (type_identifier) @name body: (_)) @definition.class

(union_specifier name: (type_identifier) @name body: (_)) @definition.class

(enum_specifier name: (type_identifier) @name body: (_)) @definition.type

(type_definition declarator: (type_identifier) @name) @definition.type

(function_definition
  declarator: (function_declarator declarator: (identifier) @name)) @definition.function

(function_definition
  declarator: (pointer_declarator
    declarator: (function_declarator declarator: (identifier) @name))) @definition.function

(function_definition
  declarator: (pointer_declarator
    declarator: (pointer_declarator
      declarator: (function_declarator declarator: (identifier) @name)))) @definition.function

(declaration
  declarator: (function_declarator declarator: (identifier) @name)) @definition.function

(declaration
  declarator: (pointer_declarator
    declarator: (function_declarator declarator: (identifier) @name))) @definition.function

(preproc_def name: (identifier) @name) @definition.macro

(preproc_function_def name: (identifier) @name) @definition.macro

; References.

(call_expression function: (identifier) @name) @reference.call

(call_expression
  function: (field_expression field: (field_identifier) @name)) @reference.call

(call_expression
  function: (parenthesized_expression (identifier) @name)) @reference.call

(type_identifier) @name @reference.type
