"""The demo's knowledge base (docs/knowledge.md, «The demo's articles»): articles of the
demo desk's modules (demo/content.py), as its agents would write them. demo/loader.py
writes them through knowledge.services, dated across the demo's weeks.

Each article: `title`, `modules` (names of demo/content.py's MODULES), `keywords`,
`public` (False: *Solo agentes*), `state` ("published", "draft" or "archived"), `author`
(an index into demo/content.py's AGENTS), `interest` (how read it is: views and votes
grow with it) and `helpful` (the share of its votes that say "Sí"), and the Markdown
`body`.
"""

PUBLISHED, DRAFT, ARCHIVED = "published", "draft", "archived"

# The public article a requester finds by typing "no puedo imprimir" (tests/demo).
PRINTER_TITLE = "No puedo imprimir: la cola de impresión está detenida"

ARTICLES = [
    # Red -------------------------------------------------------------------------------
    dict(
        title=PRINTER_TITLE,
        modules=["Red"],
        keywords="impresora cola de impresión atascada documentos pendientes",
        public=True,
        state=PUBLISHED,
        author=0,
        interest=10,
        helpful=0.85,
        body="""\
Cuando manda a imprimir y la impresora no hace nada, casi siempre un documento se quedó
atorado en la **cola de impresión** y detiene a los demás. Antes de reportarlo, pruebe
estos pasos en orden:

1. Revise que la impresora esté encendida, con papel y sin luces de error en su pantalla.
2. En Windows abra **Configuración → Bluetooth y dispositivos → Impresoras y escáneres**
   y elija su impresora.
3. Pulse **Abrir cola de impresión**. Si ve documentos con el estado *Error* o
   *Detenido*, haga clic derecho sobre cada uno y elija **Cancelar**.
4. Apague la impresora, espere 30 segundos y enciéndala de nuevo.
5. Imprima una página de prueba (**Propiedades de la impresora → Imprimir página de
   prueba**).

Si la cola no se vacía, reinicie su computadora: al iniciar, Windows reinicia también el
servicio de impresión.

| Lo que ve | Qué significa | Qué hacer |
|---|---|---|
| «Sin conexión» | La computadora no encuentra la impresora en la red | Revise el cable de red de la impresora o repórtelo |
| «Error de impresión» | Un documento dañado bloquea la cola | Cancele ese documento (paso 3) |
| «Papel atascado» | Hay una hoja dentro del equipo | Abra la tapa frontal y retire la hoja con cuidado |

Si después de esto sigue sin imprimir, repórtelo indicando el nombre de la impresora
(viene en una etiqueta en el frente) y el mensaje que aparece.
""",
    ),
    dict(
        title="Agregar una impresora de red a su computadora",
        modules=["Red"],
        keywords="instalar impresora nueva red compartida",
        public=True,
        state=PUBLISHED,
        author=0,
        interest=5,
        helpful=0.8,
        body="""\
Las impresoras de cada sucursal están compartidas en la red. Para agregar una:

1. Abra **Configuración → Bluetooth y dispositivos → Impresoras y escáneres**.
2. Pulse **Agregar dispositivo** y espere a que aparezca la lista.
3. Elija la impresora de su área: su nombre empieza con la sucursal, por ejemplo
   `LEON-ADMIN-01` o `CELAYA-CAJAS-02`.
4. Si no aparece, pulse **Agregar manualmente**, elija **Agregar una impresora por su
   dirección TCP/IP** y escriba la dirección que viene en la etiqueta de la impresora.
5. Acepte la instalación del controlador e imprima una página de prueba.

> No instale controladores descargados de internet: Windows toma el correcto del
> servidor de impresión.
""",
    ),
    dict(
        title="Conectarse a la VPN desde casa",
        modules=["Red"],
        keywords="vpn trabajo remoto home office forticlient",
        public=True,
        state=PUBLISHED,
        author=3,
        interest=8,
        helpful=0.75,
        body="""\
La VPN le permite usar el ERP, las carpetas compartidas y la facturación desde fuera de
la oficina.

**Antes de empezar** necesita el cliente FortiClient VPN instalado (lo instala sistemas
al entregarle su laptop) y su usuario y contraseña de la red.

1. Abra **FortiClient VPN** y elija la conexión **Oficina central**.
2. Escriba su usuario (sin `@bajio.example.com`) y su contraseña de la red.
3. Escriba el código de seis dígitos que le muestra la aplicación de autenticación de su
   celular.
4. Espere a que diga **Conectado**; ya puede abrir el ERP.

**Si no conecta:**

- «No se pudo establecer la conexión»: revise que tiene internet abriendo cualquier
  página. En redes de hoteles o cafeterías, abra primero el navegador y acepte sus
  condiciones.
- «Credenciales incorrectas»: su contraseña de la red pudo haber vencido; cámbiela
  (vea *Restablecer su contraseña de la red y del correo*).
- El código de seis dígitos no se acepta: revise que la hora de su celular sea
  automática.
""",
    ),
    dict(
        title="El Wi-Fi se desconecta a cada rato",
        modules=["Red"],
        keywords="wifi inalámbrico se cae señal",
        public=True,
        state=PUBLISHED,
        author=3,
        interest=4,
        helpful=0.6,
        body="""\
Si el Wi-Fi se cae solo en su computadora:

1. Olvide la red y vuelva a conectarse: **Configuración → Red e internet → Wi-Fi →
   Administrar redes conocidas**, elija la red de la oficina y pulse **Olvidar**.
2. Conéctese de nuevo con la contraseña que le dio sistemas.
3. Desactive el ahorro de energía del adaptador: **Administrador de dispositivos →
   Adaptadores de red →** su adaptador Wi-Fi **→ Propiedades → Administración de
   energía**, y quite la marca de *Permitir que el equipo apague este dispositivo*.

Si se desconecta a todos los de un área (por ejemplo, la sala de juntas), repórtelo
indicando el lugar y la hora: suele ser el punto de acceso de esa área.
""",
    ),
    dict(
        title="Diagnóstico de un enlace caído en sucursal",
        modules=["Red"],
        keywords="enlace internet telmex sucursal sin internet",
        public=False,
        state=PUBLISHED,
        author=4,
        interest=3,
        helpful=0.0,
        body="""\
Procedimiento interno para **Sin internet en una sucursal** (nivel 2).

1. Desde el monitoreo, confirme que el router de la sucursal no responde a ping y desde
   qué hora.
2. Llame al encargado de la sucursal y pídale revisar que el módem del proveedor tenga
   las luces **PON** y **LOS** como se ve en la foto del inventario.
3. Si el módem está bien y el router no, pida reiniciar el router (botón trasero, una
   vez).
4. Si el módem marca **LOS** en rojo, es falla del proveedor: levante el reporte con
   Telmex (número de servicio en el inventario de la sucursal) y pase el ticket a
   **Pendiente proveedor** con el folio.
5. Mientras tanto, las cajas trabajan sin conexión hasta 48 horas; avise al encargado.

| Proveedor | Teléfono de fallas | Tiempo comprometido |
|---|---|---|
| Telmex empresarial | 800 123 0000 | 8 horas hábiles |
| Totalplay empresarial | 800 510 0510 | 6 horas hábiles |
""",
    ),
    # Correo ----------------------------------------------------------------------------
    dict(
        title="Restablecer su contraseña de la red y del correo",
        modules=["Correo"],
        keywords="contraseña olvidada clave bloqueada cuenta password",
        public=True,
        state=PUBLISHED,
        author=1,
        interest=10,
        helpful=0.9,
        body="""\
Su contraseña de la red es la misma del correo, la VPN y la computadora. Si la olvidó o
se bloqueó su cuenta:

1. Desde cualquier navegador, entre a **https://passwordreset.microsoftonline.com**.
2. Escriba su correo de la empresa y los caracteres de la imagen.
3. Elija cómo recibir el código: a su celular registrado o a su correo personal.
4. Escriba el código y su nueva contraseña dos veces.

La contraseña nueva debe tener:

- al menos 12 caracteres;
- mayúsculas, minúsculas y números;
- ninguna de sus últimas cinco contraseñas.

Después de cambiarla, **cierre la sesión de su computadora** y entre con la nueva; en el
celular, el correo se la pedirá de nuevo.

Si no registró un celular ni un correo personal, repórtelo: sistemas la restablece
después de confirmar su identidad con su jefe inmediato.
""",
    ),
    dict(
        title="Configurar el correo de la empresa en su celular",
        modules=["Correo"],
        keywords="outlook celular android iphone móvil",
        public=True,
        state=PUBLISHED,
        author=1,
        interest=6,
        helpful=0.8,
        body="""\
Use la aplicación **Outlook** (Android o iPhone); la aplicación de correo del teléfono
no cumple las reglas de seguridad de la empresa.

1. Instale **Microsoft Outlook** desde la tienda de su teléfono.
2. Ábrala y escriba su correo de la empresa.
3. Escriba su contraseña de la red y apruebe el aviso en la aplicación de autenticación.
4. Si le pide instalar **Portal de empresa**, acéptelo: protege los datos de la empresa
   en su teléfono sin ver sus fotos ni mensajes.

Si tenía el correo en la aplicación de correo del teléfono, elimine esa cuenta para no
recibir los mensajes dos veces.
""",
    ),
    dict(
        title="Mis correos llegan a la carpeta de spam de los clientes",
        modules=["Correo"],
        keywords="spam correo no deseado rebotan clientes",
        public=True,
        state=PUBLISHED,
        author=3,
        interest=3,
        helpful=0.5,
        body="""\
Si un cliente dice que sus correos le llegan como *correo no deseado*:

- Pídale agregar su dirección a sus **remitentes seguros**.
- Evite mandar archivos `.zip` o `.exe`, y ligas acortadas (bit.ly y similares).
- No escriba el asunto completo en mayúsculas ni con varios signos de admiración.
- Si manda facturas, adjunte el PDF y el XML en vez de una liga de descarga.

Si le pasa con varios clientes a la vez, repórtelo con el correo de uno de ellos y la
hora de un envío: revisaremos la reputación del dominio.
""",
    ),
    dict(
        title="Buzón lleno: liberar espacio en Outlook",
        modules=["Correo"],
        keywords="buzón lleno cuota espacio archivar outlook",
        public=True,
        state=ARCHIVED,
        author=1,
        interest=2,
        helpful=0.7,
        body="""\
Cuando Outlook avisa que su buzón está lleno ya no puede enviar correos. Vacíe la
carpeta **Elementos eliminados**, borre los correos con archivos grandes (ordene por
tamaño) y archive los de años anteriores.

*Archivado: desde la migración a buzones de 50 GB ya no aplica.*
""",
    ),
    dict(
        title="Alta y baja de buzones de correo",
        modules=["Correo"],
        keywords="alta baja buzón nuevo empleado licencia",
        public=False,
        state=PUBLISHED,
        author=2,
        interest=3,
        helpful=0.0,
        body="""\
Procedimiento interno. Solo con la solicitud de **Recursos Humanos** (correo de la jefa
de RR. HH. o ticket registrado por ella).

**Alta**

1. En el centro de administración de Microsoft 365, **Usuarios activos → Agregar un
   usuario**, con el formato `nombre.apellido`.
2. Asigne la licencia *Business Standard* (revise antes que haya disponibles).
3. Agréguelo a los grupos de su área y de su sucursal.
4. Entregue la contraseña temporal al jefe inmediato, nunca por correo.

**Baja**

1. Bloquee el inicio de sesión y restablezca la contraseña el mismo día de la baja.
2. Convierta el buzón en **buzón compartido** y dé acceso al jefe inmediato por 90 días.
3. Quite la licencia y anote en el ticket la fecha en que se borrará el buzón.
""",
    ),
    # Facturación -----------------------------------------------------------------------
    dict(
        title="Cancelar una factura timbrada (CFDI 4.0)",
        modules=["Facturación"],
        keywords="cancelación cfdi motivo 01 02 03 04 sat",
        public=True,
        state=PUBLISHED,
        author=1,
        interest=9,
        helpful=0.8,
        body="""\
Una factura timbrada no se modifica: se **cancela** y, si hace falta, se emite otra.

1. En el sistema de facturación busque la factura por su folio.
2. Pulse **Cancelar** y elija el motivo:

| Motivo | Cuándo usarlo | ¿Pide factura que la sustituye? |
|---|---|---|
| 01 | Comprobante emitido con errores **con** relación | Sí: emita primero la nueva |
| 02 | Comprobante emitido con errores **sin** relación | No |
| 03 | No se llevó a cabo la operación | No |
| 04 | Operación nominativa en una factura global | Sí |

3. Confirme la cancelación.

**«En proceso»**: si la factura es de más de 1,000 pesos, el receptor debe aceptar la
cancelación en su buzón tributario; tiene tres días hábiles. Avísele a su cliente. Si no
responde en ese plazo, la cancelación se acepta sola.
""",
    ),
    dict(
        title="Error 301 al timbrar: el certificado de sello digital no es válido",
        modules=["Facturación"],
        keywords="csd certificado sello digital vencido timbrado error 301",
        public=True,
        state=PUBLISHED,
        author=1,
        interest=6,
        helpful=0.9,
        body="""\
El error **301** al timbrar casi siempre significa que el **certificado de sello digital
(CSD)** cargado en el sistema venció o fue renovado y no se ha cargado el nuevo.

1. Pregunte a su contador si renovaron el CSD ante el SAT recientemente.
2. Si sí, deje los archivos `.cer` y `.key` nuevos, y la contraseña de la llave, en la
   carpeta segura de su área (nunca por correo).
3. Repórtelo: sistemas los carga y prueba el timbrado.

Mientras tanto, las facturas quedan guardadas como *pendientes de timbrar*; cuando el
certificado esté cargado, reintente cada una desde **Facturas → Pendientes**.
""",
    ),
    dict(
        title="Emitir un complemento de pago",
        modules=["Facturación"],
        keywords="complemento de pago rep ppd parcialidades",
        public=True,
        state=PUBLISHED,
        author=1,
        interest=5,
        helpful=0.7,
        body="""\
Las facturas con método de pago **PPD** (pago en parcialidades o diferido) necesitan un
**complemento de pago** por cada pago recibido, a más tardar el día 5 del mes siguiente.

1. Entre a **Facturación → Complementos de pago → Nuevo**.
2. Elija al cliente y marque las facturas que cubre el pago.
3. Escriba la fecha del pago, la forma de pago (por ejemplo, *03 Transferencia*) y el
   monto aplicado a cada factura.
4. Revise el saldo insoluto que calcula el sistema y pulse **Timbrar**.

Si una factura no aparece en la lista, revise que sea PPD: las facturas PUE ya se
consideran pagadas.
""",
    ),
    dict(
        title="Renovar el CSD en el sistema de facturación",
        modules=["Facturación"],
        keywords="csd carga certificado pac renovación",
        public=False,
        state=PUBLISHED,
        author=2,
        interest=2,
        helpful=0.0,
        body="""\
Procedimiento interno (nivel 2).

1. Tome los archivos `.cer` y `.key` de la carpeta segura del cliente; pida la
   contraseña de la llave por teléfono al contador.
2. Verifique la vigencia con `openssl x509 -inform DER -in archivo.cer -noout -enddate`.
3. En **Configuración → Emisor → Certificados**, cargue ambos archivos y la contraseña.
4. Timbre una factura de prueba en el ambiente de pruebas y cancélela.
5. Borre los archivos de la carpeta segura y anote en el ticket la fecha de vencimiento
   del nuevo CSD.
""",
    ),
    dict(
        title="Cambios del catálogo del SAT: cómo se programan",
        modules=["Facturación"],
        keywords="catálogos sat actualización claves producto",
        public=True,
        state=DRAFT,
        author=1,
        interest=0,
        helpful=0.0,
        body="""\
Cuando el SAT publica cambios en sus catálogos (claves de producto, unidades, regímenes),
la mesa los programa con cinco días hábiles de anticipación.

- Le avisaremos por correo la fecha y hora del cambio.
- Ese día, el sistema de facturación puede no estar disponible unos minutos.

*Pendiente: agregar la lista de cambios de este año.*
""",
    ),
    # Nómina ----------------------------------------------------------------------------
    dict(
        title="Consultar y descargar su recibo de nómina",
        modules=["Nómina"],
        keywords="recibo de nómina cfdi pago xml pdf portal del empleado",
        public=True,
        state=PUBLISHED,
        author=2,
        interest=9,
        helpful=0.85,
        body="""\
Sus recibos de nómina (CFDI) se publican el día de pago en el **portal del empleado**.

1. Entre a `https://empleados.bajio.example.com` con su número de empleado.
2. La primera vez, su contraseña es su RFC con homoclave en mayúsculas; el portal le
   pedirá cambiarla.
3. Elija **Mis recibos**, el año y el periodo.
4. Descargue el **PDF** para leerlo o el **XML** si se lo pide un banco o el SAT.

Si un recibo no aparece un día después del pago, o sus datos (RFC, CURP, nombre) están
mal, repórtelo con su número de empleado y el periodo.
""",
    ),
    dict(
        title="Capturar faltas, horas extra y vacaciones antes del cierre",
        modules=["Nómina"],
        keywords="incidencias faltas horas extra vacaciones cierre de nómina",
        public=True,
        state=PUBLISHED,
        author=2,
        interest=6,
        helpful=0.75,
        body="""\
Las incidencias de la semana se capturan **a más tardar el martes** de la semana de
pago; lo que llegue después se paga en el periodo siguiente.

1. En el sistema de nómina entre a **Incidencias → Captura**.
2. Elija el periodo abierto y el empleado.
3. Capture la incidencia:

| Incidencia | Cómo se captura |
|---|---|
| Falta | Un día por renglón, con el motivo |
| Horas extra | Fecha y número de horas (dobles las primeras 9 de la semana) |
| Vacaciones | Fecha de inicio y número de días hábiles |
| Incapacidad | Folio del IMSS y días; adjunte la incapacidad |

4. Pulse **Enviar a revisión**: Recursos Humanos la aprueba antes del cálculo.
""",
    ),
    dict(
        title="El recibo de nómina no se timbró",
        modules=["Nómina"],
        keywords="timbrado nómina error rfc curp recibo",
        public=True,
        state=PUBLISHED,
        author=2,
        interest=4,
        helpful=0.6,
        body="""\
Cuando el timbrado de la nómina rechaza el recibo de un empleado, el motivo casi siempre
es un dato del empleado que no coincide con el SAT.

- **RFC o nombre**: deben escribirse exactamente como en la constancia de situación
  fiscal del empleado, sin acentos de más ni abreviaturas.
- **Código postal**: el del domicilio fiscal de la constancia.
- **CURP**: 18 caracteres, revise la letra O y el número 0.

Recursos Humanos corrige el dato en el expediente del empleado y pulsa **Retimbrar** en
**Nómina → Recibos con error**. Si el error sigue, repórtelo con el mensaje completo.
""",
    ),
    dict(
        title="Recalcular una nómina ya cerrada",
        modules=["Nómina"],
        keywords="recalcular nómina cerrada reverso complemento",
        public=False,
        state=PUBLISHED,
        author=2,
        interest=2,
        helpful=0.0,
        body="""\
Procedimiento interno (nivel 3). Solo con autorización escrita de la jefa de Recursos
Humanos en el ticket.

1. No se recalcula una nómina timbrada: se hace una **nómina extraordinaria** con la
   diferencia, o se cancelan los recibos afectados (motivo 02) y se timbran de nuevo.
2. Respalde la base de nómina antes de cualquier cambio.
3. Si la diferencia afecta el IMSS, avise a Recursos Humanos para presentar la
   corrección en el SUA.
""",
    ),
    dict(
        title="Cambios en el cálculo del INFONAVIT",
        modules=["Nómina"],
        keywords="infonavit crédito descuento factor",
        public=True,
        state=DRAFT,
        author=2,
        interest=0,
        helpful=0.0,
        body="""\
Cuando un empleado recibe un aviso de retención de INFONAVIT, Recursos Humanos captura el
número de crédito, el tipo de descuento y el valor desde la fecha del aviso.

*Borrador: falta confirmar con el contador el nuevo factor de descuento.*
""",
    ),
    # Portal web ------------------------------------------------------------------------
    dict(
        title="El portal de clientes no carga o se ve en blanco",
        modules=["Portal web"],
        keywords="portal página en blanco caché navegador no abre",
        public=True,
        state=PUBLISHED,
        author=3,
        interest=5,
        helpful=0.7,
        body="""\
Si el portal de clientes se ve en blanco o sin estilos:

1. Recargue la página sin caché: **Ctrl + F5** (en Mac, **Cmd + Shift + R**).
2. Pruebe en una ventana de incógnito. Si ahí funciona, borre los datos del sitio en su
   navegador.
3. Pruebe en otro navegador (Chrome, Edge o Firefox, actualizados).

Si no carga en ningún navegador ni en otra computadora, repórtelo con la hora y la
dirección exacta de la página: puede ser una falla del servidor.
""",
    ),
    dict(
        title="Un cliente no puede entrar al portal",
        modules=["Portal web"],
        keywords="acceso portal clientes usuario bloqueado contraseña",
        public=True,
        state=PUBLISHED,
        author=3,
        interest=4,
        helpful=0.65,
        body="""\
Cuando un cliente no puede entrar al portal de pedidos:

- **Olvidó su contraseña**: en la pantalla de entrada, *¿Olvidó su contraseña?* le manda
  una liga a su correo registrado, válida por una hora.
- **Cuenta bloqueada**: después de cinco intentos fallidos la cuenta se bloquea 30
  minutos.
- **Cliente nuevo**: su cuenta se crea cuando crédito y cobranza da de alta al cliente;
  pídale a su ejecutivo que lo confirme.

Si nada de esto aplica, repórtelo con el RFC del cliente y el correo con que intenta
entrar.
""",
    ),
    dict(
        title="Publicar una promoción en el portal",
        modules=["Portal web"],
        keywords="promoción banner portal publicar",
        public=False,
        state=DRAFT,
        author=3,
        interest=0,
        helpful=0.0,
        body="""\
Procedimiento interno para mercadotecnia.

1. El banner se recibe en 1920 × 600 px, en `.webp` o `.jpg`, de menos de 300 KB.
2. Súbalo en **Administración del portal → Promociones → Nueva**, con sus fechas de
   inicio y fin.

*Borrador: faltan los pasos de la vista previa en celular.*
""",
    ),
    # ERP -------------------------------------------------------------------------------
    dict(
        title="El ERP marca «sesión expirada» a cada rato",
        modules=["ERP"],
        keywords="erp sesión expirada se cierra",
        public=True,
        state=PUBLISHED,
        author=4,
        interest=5,
        helpful=0.7,
        body="""\
El ERP cierra la sesión después de **20 minutos sin actividad**, por seguridad.

- Guarde su trabajo antes de dejar la computadora.
- Si se cierra aunque esté trabajando, revise que la hora de su computadora sea
  automática (**Configuración → Hora e idioma**): una hora distinta a la del servidor
  vence la sesión antes de tiempo.
- Desde casa, la VPN debe estar conectada todo el tiempo; si se desconecta, el ERP
  también.
""",
    ),
    dict(
        title="Las existencias del ERP no coinciden con el almacén",
        modules=["ERP"],
        keywords="inventario existencias diferencias almacén kardex",
        public=True,
        state=PUBLISHED,
        author=4,
        interest=4,
        helpful=0.55,
        body="""\
Antes de reportar una diferencia de inventario:

1. Consulte el **kárdex** del artículo (**Inventarios → Kárdex**) para la sucursal y las
   fechas de la diferencia.
2. Revise que no haya **traspasos en tránsito**: lo enviado por otra sucursal no suma
   hasta que se recibe.
3. Revise las ventas del punto de venta que aún no se sincronizan (se sincronizan cada
   15 minutos).

Si la diferencia sigue, repórtelo con la clave del artículo, la sucursal, la existencia
del ERP y la física.
""",
    ),
    dict(
        title="Reiniciar el servicio de sincronización del ERP",
        modules=["ERP", "Punto de venta"],
        keywords="sincronización servicio erp punto de venta cola",
        public=False,
        state=PUBLISHED,
        author=4,
        interest=3,
        helpful=0.0,
        body="""\
Procedimiento interno (nivel 2) cuando las ventas de las cajas no llegan al ERP.

1. En el servidor `erp-app-01`, revise la cola: `Get-Service ErpSync` debe estar
   *Running*.
2. Revise el registro `D:\\ErpSync\\logs\\sync.log`: los errores de *timeout* con una caja
   indican que esa caja está sin red.
3. Reinicie el servicio con `Restart-Service ErpSync` fuera del horario de corte (no
   entre 21:00 y 22:00).
4. Confirme que el contador de pendientes baja en **Monitoreo → Sincronización**.
""",
    ),
    # Punto de venta ----------------------------------------------------------------------
    dict(
        title="La impresora de tickets de la caja no imprime",
        modules=["Punto de venta"],
        keywords="impresora térmica tickets caja papel",
        public=True,
        state=PUBLISHED,
        author=0,
        interest=7,
        helpful=0.8,
        body="""\
Si la impresora térmica de la caja deja de imprimir los tickets:

1. Abra la tapa y revise el rollo: el lado térmico (el que se raya con la uña) va hacia
   afuera.
2. Cierre la tapa hasta oír el clic; la luz **Error** debe apagarse.
3. Apague y encienda la impresora con el botón lateral.
4. En el punto de venta, use **Herramientas → Reimprimir último ticket**.

Si la luz **Error** parpadea con la tapa cerrada, la cabeza puede estar sucia o
dañada: repórtelo con el número de caja.
""",
    ),
    dict(
        title="La terminal bancaria no conecta con la caja",
        modules=["Punto de venta"],
        keywords="terminal bancaria tarjeta pinpad pago rechazado",
        public=True,
        state=PUBLISHED,
        author=0,
        interest=6,
        helpful=0.7,
        body="""\
Cuando la caja dice «No se pudo comunicar con la terminal»:

1. Revise que el cable USB de la terminal esté bien conectado a la caja.
2. Reinicie la terminal (botón rojo sostenido cinco segundos).
3. En el punto de venta, **Herramientas → Probar terminal**.

Mientras se resuelve, cobre en la terminal de la caja vecina. Si la terminal muestra
un error del banco (por ejemplo, «Sin comunicación con el host»), es del banco: llame al
número de la etiqueta de la terminal y repórtelo aquí con su folio.
""",
    ),
    dict(
        title="Corte de caja con diferencias",
        modules=["Punto de venta"],
        keywords="corte de caja diferencia faltante sobrante",
        public=False,
        state=PUBLISHED,
        author=0,
        interest=3,
        helpful=0.0,
        body="""\
Procedimiento interno cuando un corte de caja no cuadra.

1. Pida al encargado el folio del corte y la diferencia.
2. Compare en **Reportes → Ventas por forma de pago** las ventas con tarjeta contra el
   cierre de la terminal bancaria: una venta cobrada dos veces o cancelada en la
   terminal y no en la caja explica la mayoría de las diferencias.
3. Revise las devoluciones del día: deben tener la autorización del encargado.
4. Si la diferencia no se explica, escale al nivel 2 con el folio y las capturas.
""",
    ),
]
