; TypeScript-only tags, for the TypeScript and TSX grammars; glm-lsp prepends
; ecmascript-tags.scm (classes, functions, calls) to this file.
; Adapted from tree-sitter-typescript 0.23.2 queries/tags.scm (MIT License,
; Copyright (c) 2017 Max Brunsfeld). Additions for glm-lsp: type aliases, enums,
; every type identifier as a reference (not only direct annotations).

(function_signature
  name: (identifier) @name) @definition.function

(method_signature
  name: (property_identifier) @name) @definition.method

(abstract_method_signature
  name: (property_identifier) @name) @definition.method

(abstract_class_declaration
  name: (type_identifier) @name) @definition.class

(module
  name: (identifier) @name) @definition.module

(internal_module
  name: (identifier) @name) @definition.module

(interface_declaration
  name: (type_identifier) @name) @definition.interface

(type_alias_declaration
  name: (type_identifier) @name) @definition.type

(enum_declaration
  name: (identifier) @name) @definition.enum

(public_field_definition
  name: (property_identifier) @name
  value: [(arrow_function) (function_expression)]) @definition.method

(extends_clause value: (identifier) @name) @reference.class

(type_identifier) @name @reference.type
