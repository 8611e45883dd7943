; Tags for C++.
; Adapted from tree-sitter-cpp 0.23.4 queries/tags.scm (MIT License,
; Copyright (c) 2014 Max Brunsfeld). Changes for glm-lsp: a function's
; definition node is the whole function_definition (so its line range covers
; the body); methods declared or defined inside class bodies, out-of-line
; `Class::method` definitions, prototypes, namespaces, aliases, call references
; (plain, member, qualified, template) and type references added.
; Order matters: the earlier pattern's category wins for the same name and line.

(struct_specifier name: (type_identifier) @name body: (_)) @definition.class

(class_specifier name: (type_identifier) @name body: (_)) @definition.class

(union_specifier name: (type_identifier) @name body: (_)) @definition.class

(enum_specifier name: (type_identifier) @name body: (_)) @definition.type

(type_definition declarator: (type_identifier) @name) @definition.type

(alias_declaration name: (type_identifier) @name) @definition.type

(namespace_definition name: (namespace_identifier) @name) @definition.module

; Methods inside class bodies (declared or defined inline).

(field_declaration_list
  (function_definition
    declarator: (function_declarator
      declarator: [(field_identifier) (identifier) (operator_name)] @name)) @definition.method)

(field_declaration_list
  (field_declaration
    declarator: (function_declarator
      declarator: [(field_identifier) (operator_name)] @name)) @definition.method)

(field_declaration_list
  (declaration
    declarator: (function_declarator
      declarator: (identifier) @name)) @definition.method)

(field_declaration_list
  (template_declaration
    (function_definition
      declarator: (function_declarator
        declarator: [(field_identifier) (identifier)] @name)) @definition.method))

; Out-of-line definitions: `Type::method(...) { ... }`.

(function_definition
  declarator: (function_declarator
    declarator: (qualified_identifier
      name: [(identifier) (operator_name)] @name))) @definition.method

(function_definition
  declarator: (function_declarator
    declarator: (qualified_identifier
      name: (qualified_identifier name: (identifier) @name)))) @definition.method

(function_definition
  declarator: (reference_declarator
    (function_declarator
      declarator: (qualified_identifier name: (identifier) @name)))) @definition.method

(function_definition
  declarator: (pointer_declarator
    declarator: (function_declarator
      declarator: (qualified_identifier name: (identifier) @name)))) @definition.method

; Free functions and prototypes.

(function_definition
  declarator: (function_declarator declarator: (identifier) @name)) @definition.function

(function_definition
  declarator: (pointer_declarator
    declarator: (function_declarator declarator: (identifier) @name))) @definition.function

(function_definition
  declarator: (reference_declarator
    (function_declarator declarator: (identifier) @name))) @definition.function

(declaration
  declarator: (function_declarator declarator: (identifier) @name)) @definition.function

(declaration
  declarator: (pointer_declarator
    declarator: (function_declarator declarator: (identifier) @name))) @definition.function

(declaration
  declarator: (reference_declarator
    (function_declarator declarator: (identifier) @name))) @definition.function

(preproc_def name: (identifier) @name) @definition.macro

(preproc_function_def name: (identifier) @name) @definition.macro

; References.

(call_expression function: (identifier) @name) @reference.call

(call_expression
  function: (field_expression field: (field_identifier) @name)) @reference.call

(call_expression
  function: (qualified_identifier name: (identifier) @name)) @reference.call

(call_expression
  function: (template_function name: (identifier) @name)) @reference.call

(call_expression
  function: (qualified_identifier
    name: (template_function name: (identifier) @name))) @reference.call

(call_expression
  function: (field_expression
    field: (template_method name: (field_identifier) @name))) @reference.call

(new_expression type: (type_identifier) @name) @reference.class

(type_identifier) @name @reference.type
