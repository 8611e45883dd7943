;;; driver.el --- batch Emacs + eglot against the real glm-lsp  -*- lexical-binding: t -*-
;; Run by test_eglot.py: loads the configuration from editors/README.md (GLM_TEST_CONFIG),
;; opens GLM_TEST_FILE, lists the code actions on lines 4-5, tells the test (signal file
;; "listed") and waits for "go", picks GLM_TEST_ACTION through `eglot-code-actions' as a
;; user would, waits for the edit, then runs the glm.edit command fallback. Writes what
;; it saw as JSON to GLM_TEST_OUT.
(require 'eglot)
(require 'json)
(require 'cl-lib)

(load (getenv "GLM_TEST_CONFIG") nil t)

(defvar glm-test-out nil "What the run saw, as an alist for JSON.")
(defvar glm-test-prompts nil "The yes-or-no questions Emacs asked, answered yes.")

(defun glm-test-record (key value)
  (push (cons key value) glm-test-out))

(defun glm-test-wait (predicate what)
  (let ((deadline (+ (float-time) 60)))
    (while (not (funcall predicate))
      (when (> (float-time) deadline)
        (error "Timed out waiting for %s" what))
      (accept-process-output nil 0.05))))

(defun glm-test-signal (name)
  (write-region "" nil (expand-file-name name (getenv "GLM_TEST_SIGNALS")) nil 'quiet))

(defun glm-test-signalled (name)
  (file-exists-p (expand-file-name name (getenv "GLM_TEST_SIGNALS"))))

(advice-add 'y-or-n-p :override
            (lambda (prompt) (push prompt glm-test-prompts) t))

(defun glm-test-lines-4-5 ()
  (goto-char (point-min))
  (forward-line 3)
  (let ((beg (point)))
    (forward-line 2)
    (cons beg (point))))

(defun glm-test-run ()
  (find-file (getenv "GLM_TEST_FILE"))
  (apply #'eglot (eglot--guess-contact))
  (glm-test-wait #'eglot-current-server "the server")
  (let* ((server (eglot-current-server))
         (span (glm-test-lines-4-5))
         (actions (eglot-code-actions (car span) (cdr span))))
    (glm-test-record 'server (plist-get (eglot--server-info server) :name))
    (glm-test-record 'titles (vconcat (mapcar (lambda (a) (plist-get a :title)) actions)))
    (glm-test-signal "listed")
    (glm-test-wait (lambda () (glm-test-signalled "go")) "the test to count requests")
    (let ((before (buffer-string))
          (last-nonmenu-event 13))   ; a key, not a mouse event: pick with completing-read
      (cl-letf (((symbol-function 'completing-read)
                 (lambda (&rest _) (getenv "GLM_TEST_ACTION"))))
        (eglot-code-actions (car span) (cdr span) nil t))
      (glm-test-wait (lambda () (not (equal before (buffer-string)))) "the picked edit")
      (glm-test-record 'after_action (buffer-string)))
    ;; Eglot sends didChange from an idle timer, and batch Emacs is never idle: send it
    ;; now, as an interactive Emacs would before the user's next command.
    (eglot--signal-textDocument/didChange)
    (let ((before (buffer-string)))
      (eglot-execute-command
       server 'glm.edit
       (vector (list :uri (eglot--path-to-uri buffer-file-name)
                     :instruction (getenv "GLM_TEST_INSTRUCTION"))))
      (glm-test-wait (lambda () (not (equal before (buffer-string)))) "the glm.edit command")
      (glm-test-record 'after_command (buffer-string)))
    (glm-test-record 'modified (if (buffer-modified-p) t :json-false))
    (glm-test-record 'prompts (vconcat (reverse glm-test-prompts)))))

(condition-case err
    (glm-test-run)
  (error (glm-test-record 'error (error-message-string err))
         (with-current-buffer (get-buffer-create "*Messages*")
           (glm-test-record 'messages (buffer-string)))
         (let ((events (cl-find-if (lambda (b) (string-match-p "EGLOT.*events" (buffer-name b)))
                                   (buffer-list))))
           (when events
             (with-current-buffer events
               (glm-test-record 'events (buffer-substring (max (point-min) (- (point-max) 6000))
                                                          (point-max))))))))
(with-temp-file (getenv "GLM_TEST_OUT")
  (insert (json-encode glm-test-out)))
(kill-emacs 0)
